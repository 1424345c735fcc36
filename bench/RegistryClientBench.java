import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import io.powerai.core.image.ImageReference;
import io.powerai.core.registry.Credentials;
import io.powerai.core.registry.RegistryClient;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;

/**
 * One manifest-digest lookup in a fresh JVM, by powerai's registry client or by jib-core's, for
 * bench/registry-client.sh: MODE REGISTRY REPOSITORY TAG [push-check]; credentials from BENCH_USER / BENCH_PASSWORD.
 */
public class RegistryClientBench {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String registry = args[1];
        String repository = args[2];
        String tag = args[3];
        boolean pushCheck = args.length > 4 && args[4].equals("push-check");
        String user = System.getenv("BENCH_USER");
        String password = System.getenv("BENCH_PASSWORD");
        long t0 = System.nanoTime();
        String answer;
        try {
            answer = mode.equals("jib") ? jib(registry, repository, tag, user, password, pushCheck)
                    : powerai(registry, repository, tag, user, password, pushCheck);
        } catch (Exception e) {
            answer = "FAILED " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        long lookupMs = (System.nanoTime() - t0) / 1_000_000;
        long sinceStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println(mode + " lookup_ms=" + lookupMs + " since_jvm_start_ms=" + sinceStart + " answer=" + answer.replace('\n', ' '));
    }

    static String powerai(String registry, String repository, String tag, String user, String password, boolean pushCheck) {
        RegistryClient client = new RegistryClient(Set.of(), user == null ? Map.of() : Map.of(registry, new Credentials(user, password)));
        ImageReference ref = ImageReference.parse(registry + "/" + repository + ":" + tag);
        if (pushCheck) {
            client.requirePush(ref);
            return "push allowed";
        }
        return client.digest(ref).orElse("(no such tag)");
    }

    static String jib(String registry, String repository, String tag, String user, String password, boolean pushCheck) throws Exception {
        // HTTP and insecure failover on: the local registry speaks plain HTTP, the test's TLS registry has its own CA.
        FailoverHttpClient http = new FailoverHttpClient(true, true, event -> { });
        com.google.cloud.tools.jib.registry.RegistryClient.Factory factory =
                com.google.cloud.tools.jib.registry.RegistryClient.factory(EventHandlers.NONE, registry, repository, http);
        if (user != null) {
            factory.setCredential(Credential.from(user, password));
        }
        com.google.cloud.tools.jib.registry.RegistryClient client = factory.newRegistryClient();
        if (pushCheck) {
            boolean bearer = client.doPushBearerAuth();
            // The token service grants a pull-only user a token whose access lists pull alone; jib does not look.
            return "doPushBearerAuth=" + bearer + ", no error: the missing push right is not noticed";
        }
        if (!client.doPullBearerAuth()) {
            client.configureBasicAuth();
        }
        return client.checkManifest(tag).map(m -> m.getDigest().toString()).orElse("(no such tag)");
    }
}
