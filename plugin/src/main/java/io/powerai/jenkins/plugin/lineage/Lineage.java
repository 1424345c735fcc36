package io.powerai.jenkins.plugin.lineage;

import io.powerai.core.audit.AuditLog;
import io.powerai.core.audit.AuditRecord;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.jenkins.plugin.lineage.ChainLink.Status;
import io.powerai.jenkins.plugin.lineage.ChainNode.Role;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A build's audit trail as the "ML lineage" page shows it: every record in order, whether the hash chain verifies
 * (the core's {@link AuditLog#verify()} decides), and the chain environment -> model -> image -> deployment walked
 * back from the last deployment (or the furthest stage that ran) by matching digests.
 */
public final class Lineage {
    public static final int SCHEMA_VERSION = 1;

    private static final Pattern RECORD_NUMBER = Pattern.compile("^record (\\d+)\\b");

    private final AuditLog.Verification verification;
    private final Integer brokenAt;
    private final List<LineageRecord> records;
    private final List<ChainNode> nodes;
    private final List<ChainLink> links;

    private Lineage(AuditLog.Verification verification, Integer brokenAt, List<LineageRecord> records,
                    List<ChainNode> nodes, List<ChainLink> links) {
        this.verification = verification;
        this.brokenAt = brokenAt;
        this.records = List.copyOf(records);
        this.nodes = List.copyOf(nodes);
        this.links = List.copyOf(links);
    }

    /** Reads and verifies {@code auditLog} (with its {@code .head} file beside it). A missing log is an empty trail. */
    public static Lineage read(Path auditLog) {
        AuditLog log = new AuditLog(auditLog, Clock.systemUTC());
        return of(log.lines(), log.verify());
    }

    /** No audit log recorded (yet). */
    public static Lineage none() {
        return of(List.of(), new AuditLog.Verification(true, 0, null));
    }

    static Lineage of(List<AuditLog.Line> lines, AuditLog.Verification verification) {
        Integer brokenAt = null;
        if (!verification.ok() && verification.problem() != null) {
            Matcher m = RECORD_NUMBER.matcher(verification.problem());
            if (m.find()) {
                brokenAt = Integer.valueOf(m.group(1));
            }
        }
        List<LineageRecord> records = new ArrayList<>();
        for (AuditLog.Line line : lines) {
            int n = line.number();
            LineageRecord.Trust trust = verification.ok() ? LineageRecord.Trust.VERIFIED
                    : brokenAt == null ? LineageRecord.Trust.UNVERIFIED
                    : n < brokenAt ? LineageRecord.Trust.VERIFIED
                    : n == brokenAt ? LineageRecord.Trust.BROKEN : LineageRecord.Trust.UNVERIFIED;
            records.add(record(line, trust));
        }
        List<ChainNode> nodes = new ArrayList<>();
        List<ChainLink> links = new ArrayList<>();
        walk(records, nodes, links);
        return new Lineage(verification, brokenAt, records, nodes, links);
    }

    private static LineageRecord record(AuditLog.Line line, LineageRecord.Trust trust) {
        AuditRecord record = line.record();
        if (record == null) {
            return new LineageRecord(line.number(), "?", "unreadable", null, Map.of(), Map.of(),
                    Map.of("failure", "line " + line.number() + " is not valid JSON"), null, trust);
        }
        return new LineageRecord(record.seq() != 0 ? record.seq() : line.number(), record.stage(), record.status(), record.time(),
                record.inputs(), record.outputs(), record.details(), record.hash(), trust);
    }

    /**
     * Walks back from the last succeeded record of the furthest stage: deployment -> the scoring image it runs ->
     * the training whose outputs hold the image's model -> the snapshot whose image the training ran in.
     */
    private static void walk(List<LineageRecord> records, List<ChainNode> nodes, List<ChainLink> links) {
        LineageRecord deployment = last(records, Role.DEPLOYMENT, Long.MAX_VALUE, r -> true);
        long before = deployment == null ? Long.MAX_VALUE : deployment.getSeq();

        LineageRecord image;
        ChainLink imageToDeployment;
        if (deployment == null) {
            image = last(records, Role.IMAGE, before, r -> true);
            imageToDeployment = notRun(Role.IMAGE, Role.DEPLOYMENT);
        } else {
            String deployed = deployment.getInputs().get("image");
            image = last(records, Role.IMAGE, before, r -> Digest.sameImage(r.getOutputs().get("image"), deployed));
            imageToDeployment = image != null
                    ? link(Role.IMAGE, Role.DEPLOYMENT, Status.LINKED, "aksDeploy #" + deployment.getSeq() + " runs " + deployed
                    + ", the image scoringImage #" + image.getSeq() + " built")
                    : unmatched(records, Role.IMAGE, Role.DEPLOYMENT, before, "aksDeploy #" + deployment.getSeq()
                    + " runs " + deployed + ", which no earlier scoringImage record built");
        }

        LineageRecord training;
        String modelName = null;
        ChainLink modelToImage;
        if (image == null) {
            training = last(records, Role.MODEL, before, r -> true);
            modelToImage = notRun(Role.MODEL, Role.IMAGE);
        } else {
            String modelDigest = image.getInputs().get("model");
            Object modelPath = image.getDetails().get("modelPath");
            training = last(records, Role.MODEL, image.getSeq(),
                    r -> findModel(r, modelDigest, modelPath == null ? null : String.valueOf(modelPath)).isPresent());
            if (training != null) {
                modelName = findModel(training, modelDigest, modelPath == null ? null : String.valueOf(modelPath)).orElseThrow();
                modelToImage = link(Role.MODEL, Role.IMAGE, Status.LINKED, "scoringImage #" + image.getSeq() + " carries "
                        + modelName + " (sha256 " + modelDigest + "), an output of gpuTrain #" + training.getSeq());
            } else {
                modelToImage = unmatched(records, Role.MODEL, Role.IMAGE, image.getSeq(), "scoringImage #" + image.getSeq()
                        + " carries a model with sha256 " + modelDigest + ", which no earlier gpuTrain record wrote");
            }
        }

        // The environment is the image the training ran in; without a training, the one the scoring image is built on.
        LineageRecord consumer = training != null ? training : image;
        String envImage = training != null ? training.getInputs().get("image")
                : image != null ? image.getInputs().get("snapshot_image") : null;
        long envBefore = consumer != null ? consumer.getSeq() : before;
        LineageRecord environment;
        ChainLink environmentToModel;
        if (consumer == null) {
            environment = last(records, Role.ENVIRONMENT, envBefore, r -> true);
            environmentToModel = notRun(Role.ENVIRONMENT, Role.MODEL);
        } else {
            environment = last(records, Role.ENVIRONMENT, envBefore, r -> Digest.sameImage(r.getOutputs().get("image"), envImage));
            String who = consumer.getStage() + " #" + consumer.getSeq();
            if (training == null) {
                environmentToModel = link(Role.ENVIRONMENT, Role.MODEL, Status.UNKNOWN, "the model of scoringImage #"
                        + consumer.getSeq() + " is not traced to a gpuTrain record, so the environment it was trained in is unknown");
            } else if (environment != null) {
                environmentToModel = link(Role.ENVIRONMENT, Role.MODEL, Status.LINKED, who + " ran in " + envImage
                        + ", the image amlEnvSnapshot #" + environment.getSeq() + " pushed");
            } else {
                environmentToModel = unmatched(records, Role.ENVIRONMENT, Role.MODEL, envBefore, who + " ran in " + envImage
                        + ", which no earlier amlEnvSnapshot record pushed");
            }
        }

        nodes.add(new ChainNode(Role.ENVIRONMENT, environment, environment == null ? null : environment.getOutputs().get("image")));
        String model = null;
        if (training != null && modelName != null) {
            model = modelName + " sha256:" + training.getOutputs().getOrDefault(modelName, image.getInputs().get("model"));
        } else if (training != null) {
            model = training.getOutputs().keySet().stream().filter(k -> k.startsWith("outputs/")).count() + " output file(s)";
        }
        nodes.add(new ChainNode(Role.MODEL, training, model));
        nodes.add(new ChainNode(Role.IMAGE, image, image == null ? null : image.getOutputs().get("image")));
        nodes.add(new ChainNode(Role.DEPLOYMENT, deployment, deployment == null ? null
                : deployment.getOutputs().getOrDefault("endpoint", "") + " running " + deployment.getInputs().get("image")));

        links.add(environmentToModel);
        links.add(modelToImage);
        links.add(imageToDeployment);
        // The scoring image is built on the snapshot image too: a second path from the environment that must agree.
        if (image != null && environment != null) {
            String base = image.getInputs().get("snapshot_image");
            String pushed = environment.getOutputs().get("image");
            links.add(Digest.sameImage(base, pushed)
                    ? link(Role.ENVIRONMENT, Role.IMAGE, Status.LINKED, "scoringImage #" + image.getSeq() + " is built on "
                    + base + ", the image amlEnvSnapshot #" + environment.getSeq() + " pushed")
                    : link(Role.ENVIRONMENT, Role.IMAGE, Status.MISMATCH, "scoringImage #" + image.getSeq() + " is built on "
                    + base + ", but the model was trained in " + pushed + " (amlEnvSnapshot #" + environment.getSeq() + ")"));
        }
    }

    /**
     * The name of the training output that is the model: by the scoring stage's {@code modelPath} first, else by
     * digest. A folder model is matched by the core's tree digest over the files below it.
     */
    static Optional<String> findModel(LineageRecord training, String modelDigest, String modelPath) {
        if (modelDigest == null) {
            return Optional.empty();
        }
        Map<String, String> outputs = training.getOutputs();
        List<String> candidates = new ArrayList<>();
        if (modelPath != null) {
            String key = "outputs/" + modelPath;
            candidates.add(key);
            candidates.add(key.endsWith("/") ? key : key + "/");
        }
        for (String key : outputs.keySet()) {
            candidates.add(key);
            for (int slash = key.indexOf('/'); slash >= 0; slash = key.indexOf('/', slash + 1)) {
                candidates.add(key.substring(0, slash + 1));
            }
        }
        for (String candidate : candidates) {
            String digest = candidate.endsWith("/") ? treeDigest(outputs, candidate) : outputs.get(candidate);
            if (modelDigest.equals(digest)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** As {@code Digests.sha256OfTree(folder)}: the SHA-256 of the canonical map of relative path to file SHA-256. */
    private static String treeDigest(Map<String, String> outputs, String prefix) {
        Map<String, String> below = new TreeMap<>();
        outputs.forEach((key, sha) -> {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                below.put(key.substring(prefix.length()), sha);
            }
        });
        return below.isEmpty() ? null : Digests.sha256(Json.canonicalBytes(below));
    }

    private static LineageRecord last(List<LineageRecord> records, Role role, long beforeSeq, Predicate<LineageRecord> matches) {
        LineageRecord found = null;
        for (LineageRecord r : records) {
            if (r.getSeq() < beforeSeq && role.stage().equals(r.getStage()) && r.isSucceeded() && matches.test(r)) {
                found = r;
            }
        }
        return found;
    }

    private static ChainLink unmatched(List<LineageRecord> records, Role from, Role to, long beforeSeq, String message) {
        boolean anyBefore = last(records, from, beforeSeq, r -> true) != null;
        return anyBefore ? link(from, to, Status.MISMATCH, message)
                : link(from, to, Status.MISSING, message + " (there is no succeeded " + from.stage() + " record before it)");
    }

    private static ChainLink notRun(Role from, Role to) {
        return link(from, to, Status.NOT_RUN, to.stage() + " has not run");
    }

    private static ChainLink link(Role from, Role to, Status status, String message) {
        return new ChainLink(from, to, status, message);
    }

    /** Whether the hash chain verified: every record unchanged, none removed, inserted or reordered. */
    public boolean isVerified() {
        return verification.ok();
    }

    public int getRecordCount() {
        return verification.records();
    }

    /** The core's description of the first problem; null when the chain verified. */
    public String getProblem() {
        return verification.problem();
    }

    /** The first record that does not verify, when the problem names one. */
    public Integer getBrokenAt() {
        return brokenAt;
    }

    /** The answer in the words of {@code powerai audit verify}. */
    public String getSummary() {
        return verification.ok() ? "OK, " + verification.records() + " record(s)" : "FAILED at " + verification.problem();
    }

    public List<LineageRecord> getRecords() {
        return records;
    }

    public List<ChainNode> getChain() {
        return nodes;
    }

    public List<ChainLink> getLinks() {
        return links;
    }

    /** Every step of the chain present and every link matching by digest. */
    public boolean isChainComplete() {
        return nodes.stream().allMatch(ChainNode::isPresent) && links.stream().allMatch(ChainLink::isLinked);
    }

    public boolean isEmpty() {
        return records.isEmpty();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> verificationMap = new LinkedHashMap<>();
        verificationMap.put("ok", verification.ok());
        verificationMap.put("records", verification.records());
        verificationMap.put("problem", verification.problem());
        verificationMap.put("brokenAt", brokenAt);
        Map<String, Object> chain = new LinkedHashMap<>();
        chain.put("complete", isChainComplete());
        chain.put("nodes", nodes.stream().map(ChainNode::toMap).toList());
        chain.put("links", links.stream().map(ChainLink::toMap).toList());
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("schemaVersion", SCHEMA_VERSION);
        map.put("verification", verificationMap);
        map.put("chain", chain);
        map.put("records", records.stream().map(LineageRecord::toMap).toList());
        return map;
    }

    /** The same data as the page, as indented JSON with sorted keys. */
    public String toJson() {
        return Json.pretty(toMap());
    }

    /** {@link #toJson()} as a bean property, for the page. */
    public String getJson() {
        return toJson();
    }

    @Override
    public String toString() {
        return "Lineage[" + getSummary() + ", chain " + (isChainComplete() ? "complete" : "incomplete") + "]";
    }
}
