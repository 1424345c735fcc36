package io.powerai.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The authenticated registries of the tests, started by hand for bench/registry-client.sh: prints the token
 * registry's and the basic one's addresses, serves until its stdin closes, then stops them and removes their CA
 * from certs.d. Users: pusher/pusher-pw (pull, push) and reader/reader-pw (pull) on the token registry,
 * bob/bob-pw on the basic one.
 */
public final class TestRegistriesMain {
    private TestRegistriesMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("powerai-bench-registries");
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TokenIssuer issuer = new TokenIssuer(pki);
        issuer.addUser("pusher", "pusher-pw", "pull", "push");
        issuer.addUser("reader", "reader-pw", "pull");
        AuthRegistry token = AuthRegistry.token(dir.resolve("token"), pki, issuer);
        AuthRegistry basic = AuthRegistry.htpasswd(dir.resolve("basic"), "bob", "bob-pw");
        try {
            System.out.println("token " + token.address);
            System.out.println("basic " + basic.address);
            System.out.flush();
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        } finally {
            AuthRegistry.stopAll(token, basic, issuer);
        }
    }
}
