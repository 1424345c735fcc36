package io.powerai.jenkins

import com.cloudbees.groovy.cps.NonCPS
import groovy.json.JsonOutput
import groovy.json.JsonSlurper

/**
 * What the four powerai steps share, and nothing more: the step's arguments become a spec file, credentials are
 * bound by id, the powerai CLI runs under {@code sh} on the current agent, what the stage produced is archived and
 * fingerprinted, and its result file comes back as a Map. The CLI validates and decides everything (it reads the
 * project's pipeline file under the arguments, and maps their names); this class only moves values, and moves them
 * to the shell only through the environment. Static only: no instance is kept across a step call, so nothing here
 * needs to be serialized.
 *
 * <p>Sandbox-safe, so that the library also works as a folder library: every call here is a pipeline step or on
 * script-security's default whitelists (library-tests' SandboxCallsTest keeps it so).
 */
class StepRunner {
    // What the steps know about a stage (its command and actions, result file, artifacts, summary, step-only
    // parameters, JVM flags) is core's stage descriptor, handed over by the plugin's poweraiCli() or printed by
    // `powerai stages --json`: this class keeps no tables of its own.

    /**
     * The audit log and its head, archived after every run of every step whatever the outcome: also when the
     * descriptors could not be read (core's StageDescriptor.AUDIT_LOG; library-tests keep the two equal).
     */
    static final String AUDIT_LOG = '.powerai/audit.jsonl, .powerai/audit.jsonl.head'

    /** Where the descriptors the CLI prints go, and its messages, when no plugin hands them over. */
    static final String DESCRIPTORS_FILE = '.powerai/specs/stages.json'

    /** Exit codes of the CLI whose stderr is the whole message, naming the stage. */
    private static final List<Integer> CLI_STATUSES = [1, 2, 3]
    private static final int MAX_MESSAGE_LINES = 40

    /**
     * Runs {@code step} with {@code args} on the current agent; returns the stage's result file as a Map, or ends
     * the build with error() carrying the CLI's own message. Only step calls happen here; everything else is
     * computed in the @NonCPS methods below (CPS-interpreted code is slow and must stay serializable).
     */
    static Map run(def script, String step, Map args) {
        Map arguments = args == null ? [:] : args
        if (step == 'gpuTrain' && arguments.kubernetesAgent) {
            return runOnKubernetesAgent(script, arguments)
        }
        if (step == 'aksDeploy' && arguments.gateOnly) {
            return runGateOnly(script, arguments)
        }
        Map cli = locateCli(script, step, null)
        String command = command(cli.stage, arguments)
        if (command == null) {
            script.error("${step}: 'action' must be one of ${String.join(', ', (List) cli.stage.actions)}; got '${arguments.action}'")
        }
        Map plan = plan(step, arguments, cli, script.env.POWERAI_ENGINE as String, command, '')
        writeSpec(script, plan)
        Map result = null
        // One binding for the run and its report: the CLI's message is printed and raised where the credentials'
        // values are still masked in the build log.
        masked(script, plan) {
            int status = -1
            try {
                status = script.sh(plan.sh)
            } finally {
                script.archiveArtifacts(artifacts: artifacts(plan, status), fingerprint: true, allowEmptyArchive: true)
            }
            result = finish(script, step, plan, status)
        }
        return result
    }

    /**
     * aksDeploy with gateOnly: true: the promotion gate alone (deploy --gate-only), which changes nothing and writes
     * no result. Exit 1 is the gate's "the serving version stays", an answer, not an error: [gatePassed: false, gate: line].
     */
    private static Map runGateOnly(def script, Map args) {
        Map cli = locateCli(script, 'aksDeploy', null)
        Map plan = plan('aksDeploy', args, cli, script.env.POWERAI_ENGINE as String, cli.stage.command as String, ' --gate-only')
        int status = invoke(script, plan)
        String stderr = script.fileExists(plan.errFile) ? script.readFile(file: plan.errFile, encoding: 'UTF-8') : ''
        if (status != 0 && status != 1) {
            script.error(failureMessage('aksDeploy', status, stderr))
        }
        if (stderr.trim()) {
            script.echo(stderr.trim())
        }
        return [gatePassed: status == 0, gate: stderr.trim()]
    }

    /** The pod YAML file, the training container, and the runner the CLI prepares for it (see PodTraining in core). */
    static final String POD_YAML = '.powerai/specs/gpuTrain.pod.yaml'
    static final String POD_CONTAINER = 'train'
    static final String POD_RUNNER = 'python3 .powerai/train/pod_train_runner.py .powerai/train/pod-run.json'

    /**
     * gpuTrain with kubernetesAgent: true. The CLI renders the pod (the snapshot image as container 'train', with
     * nvidia.com/gpu limits and GPU node-pool tolerations) on the current agent; the workspace is stashed into the
     * pod; there the CLI (agent container) prepares the run, the training container runs it, the CLI records it;
     * the .powerai folder comes back, so the next steps find the model and the audit log where they always do.
     */
    private static Map runOnKubernetesAgent(def script, Map args) {
        String engine = script.env.POWERAI_ENGINE as String
        Map cli = locateCli(script, 'gpuTrain', null)
        Map template = plan('gpuTrain', args, cli, engine, 'pod-template', ' >"$POWERAI_POD_YAML"')
        template.environment << "POWERAI_POD_YAML=${POD_YAML}".toString()
        int status = invoke(script, template)
        if (status != 0) {
            script.archiveArtifacts(artifacts: template.auditLog, fingerprint: true, allowEmptyArchive: true)
            return finishMasked(script, 'gpuTrain', template, status)
        }
        Map names = stashNames(script.env.BUILD_TAG as String)
        script.stash(name: names.workspace, includes: '**', allowEmpty: true)
        Map podArgs = [yaml: script.readFile(file: POD_YAML, encoding: 'UTF-8')]
        if (args.kubernetesCloud) {
            podArgs.cloud = args.kubernetesCloud
        }
        Map record = template
        try {
            script.podTemplate(podArgs) {
                // POD_LABEL: the label the kubernetes plugin gives the pod, in the environment of the body.
                script.node(script.env.POD_LABEL as String) {
                    script.unstash(names.workspace)
                    // The pod's own CLI (the plugin installs it there); the descriptors are the ones already read.
                    Map podCli = locateCli(script, 'gpuTrain', cli.descriptors as Map)
                    Map prepare = plan('gpuTrain', args, podCli, null, cli.stage.command as String, ' --pod prepare')
                    status = invoke(script, prepare)
                    record = prepare
                    if (status == 0) {
                        script.container(POD_CONTAINER) {
                            // What the training did is the record's to judge: its log and exit status are in the workspace.
                            script.sh(script: POD_RUNNER, returnStatus: true, label: 'gpuTrain in the training container')
                        }
                        record = plan('gpuTrain', args, podCli, null, cli.stage.command as String, ' --pod record')
                        status = invoke(script, record)
                    }
                    script.stash(name: names.results, includes: '.powerai/**', allowEmpty: true)
                }
            }
            script.unstash(names.results)
        } finally {
            script.archiveArtifacts(artifacts: artifacts(template, status), fingerprint: true, allowEmptyArchive: true)
        }
        return finishMasked(script, 'gpuTrain', record, status)
    }

    /**
     * Stash names pass Jenkins.checkGoodName, which refuses '%' among others; BUILD_TAG holds one on every
     * multibranch branch with a '/' (feature/x is the job feature%2Fx). Only letters, digits, '-' and '_' are kept.
     */
    @NonCPS
    static Map stashNames(String buildTag) {
        String tag = (buildTag ?: 'build').replaceAll('[^A-Za-z0-9_-]', '_')
        String unique = "powerai-gpuTrain-${tag}-${UUID.randomUUID().toString().substring(0, 8)}"
        return [workspace: "${unique}-workspace".toString(), results: "${unique}-results".toString()]
    }

    /** The spec (the step's parameters) and the plugin's defaults, as the CLI reads them. */
    private static void writeSpec(def script, Map plan) {
        script.writeFile(file: plan.specFile, text: plan.specText, encoding: 'UTF-8')
        script.writeFile(file: plan.defaultsFile, text: plan.defaultsText, encoding: 'UTF-8')
    }

    /** {@code body} with the plan's environment and its credentials bound (their values masked in the log). */
    private static void masked(def script, Map plan, Closure body) {
        List bindings = credentialBindings(script, plan.credentialIds)
        script.withEnv(plan.environment) {
            if (bindings) {
                script.withCredentials(bindings) {
                    body.call()
                }
            } else {
                body.call()
            }
        }
    }

    /** Writes the spec, binds the credentials, runs the CLI; its exit status. */
    private static int invoke(def script, Map plan) {
        writeSpec(script, plan)
        int status = -1
        masked(script, plan) {
            status = script.sh(plan.sh)
        }
        return status
    }

    /** {@link #finish} under the plan's credentials, for a run whose CLI ran in another block (the pod's). */
    private static Map finishMasked(def script, String step, Map plan, int status) {
        Map result = null
        masked(script, plan) {
            result = finish(script, step, plan, status)
        }
        return result
    }

    /** error() with the CLI's message, or the result file as a Map with its one summary line. */
    private static Map finish(def script, String step, Map plan, int status) {
        String stderr = script.fileExists(plan.errFile) ? script.readFile(file: plan.errFile, encoding: 'UTF-8') : ''
        if (status != 0) {
            script.error(failureMessage(step, status, stderr))
        }
        if (stderr.trim()) {
            script.echo(stderr.trim())
        }
        Map result = parseResult(script.readFile(file: plan.resultFile, encoding: 'UTF-8'))
        String line = summary(step, plan.stage as Map, result, plan.credentialIds)
        script.echo(line)
        recordSummary(script, step, plan.stage as Map, line)
        return result
    }

    /**
     * The step's line and links on the build page through the plugin's poweraiSummary; without the plugin, the
     * archived files are named in the build log instead. Only files that exist are linked (no chart without metrics).
     */
    private static void recordSummary(def script, String step, Map stage, String line) {
        Map arguments = [stage: step, text: line]
        // No loop here: this method is CPS-transformed (it calls steps), and three lines say it plainly.
        addIfArchived(script, arguments, stage, 'result')
        addIfArchived(script, arguments, stage, 'log')
        addIfArchived(script, arguments, stage, 'chart')
        try {
            script.poweraiSummary(arguments)
        } catch (NoSuchMethodError ignored) {
            script.echo(archivedFilesLine(arguments))
        } catch (MissingMethodException ignored) {
            script.echo(archivedFilesLine(arguments))
        }
    }

    private static void addIfArchived(def script, Map arguments, Map stage, String role) {
        String path = ((Map) stage.summaryFiles).get(role)
        if (path && script.fileExists(path)) {
            arguments.put(role, path)
        }
    }

    /** What the build page would link to, as one line of the build log: "[gpuTrain] archived: result ..., log ...". */
    @NonCPS
    static String archivedFilesLine(Map arguments) {
        List<String> parts = []
        for (String role : ['result', 'log', 'chart']) {
            if (arguments.containsKey(role)) {
                parts.add("${role} ${arguments.get(role)}".toString())
            }
        }
        return "[${arguments.stage}] archived: ${parts ? String.join(', ', parts) : 'nothing'} (the build's artifacts)"
    }

    /**
     * The CLI command of a step call (the stage's descriptor's): a step with actions (aksDeploy) runs the command
     * itself or the subcommand its {@code action} names; null for an action the descriptor does not list.
     */
    @NonCPS
    static String command(Map stage, Map args) {
        String command = stage.command
        List actions = (List) stage.actions
        if (!actions || args.action == null || args.action == command) {
            return command
        }
        return args.action in actions ? "${command} ${args.action}".toString() : null
    }

    /**
     * Everything the run of {@code command} (a constant, e.g. the stage's descriptor's) needs, with {@code extra} (a
     * constant) after its options, computed from the arguments, the CLI's location and the stage's descriptor
     * ({@code cli.stage}): the spec file and its text, the environment (the only way values reach the shell), the
     * credential ids, the sh step's arguments, what to archive.
     */
    @NonCPS
    static Map plan(String step, Map args, Map cli, String agentEngine, String command, String extra) {
        Map stage = (Map) cli.stage
        Map defaults = cli.defaults instanceof Map ? (Map) cli.defaults : [:]
        String specFile = stage.specFile
        String defaultsFile = ".powerai/specs/${step}.defaults.json"
        String errFile = errFileOf(step)
        List<String> environment = cliEnvironment(cli)
        environment.addAll([
                "POWERAI_PROJECT=${args.containsKey('projectDir') ? args.projectDir : '.'}".toString(),
                "POWERAI_SPEC=${specFile}".toString(),
                "POWERAI_DEFAULTS=${defaultsFile}".toString(),
                'POWERAI_WORKSPACE=.',
                "POWERAI_ERR=${errFile}".toString(),
        ])
        // The project's powerai.yaml is the CLI's default; pipelineFile names another, relative to the workspace.
        String pipelineFile = args.pipelineFile ? ' --file "$POWERAI_PIPELINE_FILE"' : ''
        if (pipelineFile) {
            environment << "POWERAI_PIPELINE_FILE=${args.pipelineFile}".toString()
        }
        if (defaults.engine && !agentEngine) {
            environment << "POWERAI_ENGINE=${defaults.engine}".toString()
        }
        // The global deploy policy goes over the project's deploy section (the defaults file only goes under it).
        if (step == 'aksDeploy' && defaults.policyRequireProvenance == 'true') {
            environment << 'POWERAI_REQUIRE_PROVENANCE=true'
        }
        if (step == 'aksDeploy' && defaults.policyAllowedKeys) {
            environment << "POWERAI_ALLOWED_KEYS=${defaults.policyAllowedKeys}".toString()
        }
        // Single-quoted: the shell expands the variables; no value is ever part of the script's text.
        String shell = cliPrefix(cli, String.join(' ', (List) stage.jvmFlags)) + command +
                ' "$POWERAI_PROJECT" --spec "$POWERAI_SPEC" --defaults "$POWERAI_DEFAULTS"' + pipelineFile +
                ' --workspace "$POWERAI_WORKSPACE"' + extra + ' 2>"$POWERAI_ERR"'
        return [
                specFile     : specFile,
                specText     : specText(stage, args),
                defaultsFile : defaultsFile,
                defaultsText : json(defaults),
                errFile      : errFile,
                resultFile   : stage.resultFile,
                environment  : environment,
                credentialIds: credentialIds(stage, args, defaults),
                stage        : stage,
                auditLog     : cli.auditLog,
                sh           : [script: shell, returnStatus: true, label: "powerai ${command}".toString()],
        ]
    }

    /**
     * How the shell starts the CLI: the plugin's as "$POWERAI_JAVA" FLAGS -jar "$POWERAI_JAR" (paths may hold spaces;
     * the flags are the stage's, as bin/powerai starts it), else $POWERAI_CLI, a command prefix the shell splits.
     */
    @NonCPS
    private static String cliPrefix(Map cli, String jvmFlags) {
        if (cli.java && cli.jar) {
            return '"$POWERAI_JAVA" ' + (jvmFlags ? jvmFlags + ' ' : '') + '-jar "$POWERAI_JAR" '
        }
        return '$POWERAI_CLI '
    }

    /** The environment that tells the shell where the CLI is (see cliPrefix). */
    @NonCPS
    private static List<String> cliEnvironment(Map cli) {
        if (cli.java && cli.jar) {
            return ["POWERAI_JAVA=${cli.java}".toString(), "POWERAI_JAR=${cli.jar}".toString()]
        }
        return ["POWERAI_CLI=${cli.command}".toString()]
    }

    @NonCPS
    private static String errFileOf(String step) {
        return ".powerai/specs/${step}.stderr".toString()
    }

    /** withCredentials bindings into the variables the CLI reads; ids only, values never pass through here. */
    private static List credentialBindings(def script, Map<String, String> ids) {
        List bindings = []
        if (ids.registryCredentialsId) {
            bindings << script.usernamePassword(credentialsId: ids.registryCredentialsId,
                    usernameVariable: 'POWERAI_REGISTRY_USERNAME', passwordVariable: 'POWERAI_REGISTRY_PASSWORD')
        }
        if (ids.azureCredentialsId) {
            bindings << script.azureServicePrincipal(credentialsId: ids.azureCredentialsId,
                    subscriptionIdVariable: 'AZURE_SUBSCRIPTION_ID', clientIdVariable: 'AZURE_CLIENT_ID',
                    clientSecretVariable: 'AZURE_CLIENT_SECRET', tenantIdVariable: 'AZURE_TENANT_ID')
        }
        if (ids.kubeconfigCredentialsId) {
            bindings << script.file(credentialsId: ids.kubeconfigCredentialsId, variable: 'KUBECONFIG')
        }
        if (ids.signingCredentialsId) {
            // A secret file holding the PEM key: the CLI reads the file it names; the key's text never reaches a variable.
            bindings << script.file(credentialsId: ids.signingCredentialsId, variable: 'POWERAI_SIGNING_KEY')
        }
        return bindings
    }

    /**
     * 0 and 1 ran the stage: keep what it left. 2 (invalid input), 3 (no infrastructure) and anything else ran
     * nothing, so files of an earlier run must not pass as this one's. The audit log is kept every time.
     */
    @NonCPS
    static String artifacts(Map plan, int status) {
        String auditLog = plan.auditLog
        if (status == 0 || status == 1) {
            return String.join(', ', (List) ((Map) plan.stage).artifacts) + ', ' + auditLog
        }
        return auditLog
    }

    /**
     * How to run the CLI, the plugin's defaults, and the stage descriptors with the step's own as {@code stage}:
     * env.POWERAI_CLI wins, else the plugin's step poweraiCli. The descriptors are {@code known}, else the plugin's,
     * else what the CLI prints (powerai stages --json), so that they always come from the engine that runs.
     */
    private static Map locateCli(def script, String step, Map known) {
        String override = script.env.POWERAI_CLI
        Map cli = null
        if (override) {
            cli = [command: override, defaults: [:]]
        } else {
            try {
                cli = script.poweraiCli()
            } catch (NoSuchMethodError ignored) {
                script.error(noCliMessage())
            } catch (MissingMethodException ignored) {
                script.error(noCliMessage())
            }
        }
        Map descriptors = known != null ? known : cli.descriptors instanceof Map ? (Map) cli.descriptors : readDescriptors(script, step, cli)
        Map described = withDescriptors(cli, descriptors, step)
        if (described == null) {
            script.error("${step}: the powerai CLI does not describe this step (powerai stages --json prints no descriptor of it " +
                    'in the version this library reads): the library and the CLI do not fit together; use the library of the CLI\'s version')
        }
        return described
    }

    /**
     * {@code powerai stages --json}, for a CLI that no plugin describes. It runs before anything of the stage: when
     * it fails, the step ends with its message (as for a stage's own run) and keeps only the audit log.
     */
    private static Map readDescriptors(def script, String step, Map cli) {
        List<String> environment = cliEnvironment(cli)
        environment.addAll(["POWERAI_DESCRIPTORS=${DESCRIPTORS_FILE}".toString(), "POWERAI_ERR=${errFileOf(step)}".toString()])
        // writeFile makes the folder the shell's redirections write into.
        script.writeFile(file: DESCRIPTORS_FILE, text: '', encoding: 'UTF-8')
        int status = -1
        script.withEnv(environment) {
            status = script.sh(script: cliPrefix(cli, '') + 'stages --json >"$POWERAI_DESCRIPTORS" 2>"$POWERAI_ERR"',
                    returnStatus: true, label: 'powerai stages')
        }
        if (status != 0) {
            String stderr = script.fileExists(errFileOf(step)) ? script.readFile(file: errFileOf(step), encoding: 'UTF-8') : ''
            script.archiveArtifacts(artifacts: AUDIT_LOG, fingerprint: true, allowEmptyArchive: true)
            script.error(failureMessage(step, status, stderr))
        }
        return parseResult(script.readFile(file: DESCRIPTORS_FILE, encoding: 'UTF-8'))
    }

    /**
     * A copy of {@code cli} with the descriptors, the step's own as {@code stage} and the audit log's patterns; null
     * when they are not of the version this library reads or do not describe the step.
     */
    @NonCPS
    static Map withDescriptors(Map cli, Map descriptors, String step) {
        if (descriptors == null || descriptors.schemaVersion != 1 || !(descriptors.stages instanceof Map)) {
            return null
        }
        Map stage = (Map) ((Map) descriptors.stages).get(step)
        if (stage == null) {
            return null
        }
        Map copy = [:]
        for (Object key : cli.keySet()) {
            copy.put(key, cli.get(key))
        }
        copy.put('descriptors', descriptors)
        copy.put('stage', stage)
        copy.put('auditLog', String.join(', ', (List) descriptors.auditLog))
        return copy
    }

    @NonCPS
    private static String noCliMessage() {
        return 'powerai: the powerai CLI is not available here: install the powerai plugin (it provides the step ' +
                'poweraiCli), or set the environment variable POWERAI_CLI to a command that runs it, e.g. ' +
                "'java -jar /opt/powerai/powerai-cli.jar'"
    }

    /**
     * The step's arguments less the step-only ones, names as given (the CLI maps them to the pipeline file's keys
     * and reads the file and the plugin's defaults under them); sorted keys.
     */
    @NonCPS
    static String specText(Map stage, Map args) {
        Map spec = new TreeMap()
        List<String> stepOnly = (List<String>) stage.stepOnlyParameters
        for (Object key : args.keySet()) {
            if (!stepOnly.contains(String.valueOf(key))) {
                spec.put(String.valueOf(key), args.get(key))
            }
        }
        return json(spec)
    }

    /** A Map as JSON, through the one JsonOutput method the sandbox allows for it (toJson of a Map). */
    @NonCPS
    static String json(Map map) {
        return JsonOutput.prettyPrint(JsonOutput.toJson(map)) + '\n'
    }

    /** Credential ids to bind: the step's own, else the plugin's default; an empty argument turns a default off. */
    @NonCPS
    static Map<String, String> credentialIds(Map stage, Map args, Map defaults) {
        Map<String, String> ids = [:]
        for (String key : (List<String>) stage.stepOnlyParameters) {
            if (key.endsWith('CredentialsId')) {
                Object id = args.containsKey(key) ? args.get(key) : defaults.get(key)
                if (id) {
                    ids.put(key, String.valueOf(id))
                }
            }
        }
        return ids
    }

    /** The CLI's message as it wrote it (it names the stage); other exit codes (the shell's) say what exited. */
    @NonCPS
    static String failureMessage(String step, int status, String stderr) {
        List<String> lines = stderr.trim() ? Arrays.asList(stderr.trim().split('\n')) : []
        String text = String.join('\n', lines.size() > MAX_MESSAGE_LINES ? lines.subList(0, MAX_MESSAGE_LINES) : lines)
        if (lines.size() > MAX_MESSAGE_LINES) {
            text += "\n(${lines.size() - MAX_MESSAGE_LINES} more line(s) in .powerai/specs/${step}.stderr)"
        }
        if (CLI_STATUSES.contains(status) && text) {
            return text
        }
        return "${step}: the powerai CLI exited with status ${status}" + (text ? ": ${text}" : ' and no message')
    }

    /** The result file as plain Maps and Lists (JsonSlurper's lazy maps are not serializable: copied). */
    @NonCPS
    static Map parseResult(String json) {
        return (Map) plain(new JsonSlurper().parseText(json))
    }

    @NonCPS
    private static Object plain(Object value) {
        if (value instanceof Map) {
            Map copy = [:]
            for (Object key : ((Map) value).keySet()) {
                copy.put(key, plain(((Map) value).get(key)))
            }
            return copy
        }
        if (value instanceof List) {
            List copy = []
            for (Object item : (List) value) {
                copy.add(plain(item))
            }
            return copy
        }
        return value
    }

    @NonCPS
    static String summary(String step, Map stage, Map result, Map<String, String> credentialIds) {
        List<String> parts = []
        for (String key : (List<String>) stage.summaryKeys) {
            if (result.containsKey(key)) {
                parts.add("${key} ${String.valueOf(result.get(key))}".toString())
            }
        }
        String line = "[${step}] ${result.status ?: 'done'}: ${String.join(', ', parts)}"
        if (credentialIds) {
            List<String> named = []
            for (Object key : credentialIds.keySet()) {
                named.add("${key} '${credentialIds.get(key)}'".toString())
            }
            line += " (credentials: ${String.join(', ', named)})"
        }
        return line
    }
}
