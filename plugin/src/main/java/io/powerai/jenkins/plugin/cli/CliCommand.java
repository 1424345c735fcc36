package io.powerai.jenkins.plugin.cli;

import java.util.regex.Pattern;

/**
 * How a pipeline calls the CLI on an agent: the Java that runs the agent (its {@code java.home}, read on the agent)
 * with {@code -jar} and the cached jar, quoted for the agent's shell.
 */
public final class CliCommand {
    /** The shell a command line is written for: {@code sh} on Unix agents, {@code bat} (cmd.exe) on Windows. */
    public enum Shell {
        POSIX, WINDOWS
    }

    private static final Pattern POSIX_SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");
    private static final Pattern WINDOWS_SAFE = Pattern.compile("[A-Za-z0-9_@+=:,./\\\\-]+");

    private final String java;
    private final String jar;
    private final Shell shell;

    private CliCommand(String java, String jar, Shell shell) {
        this.java = java;
        this.jar = jar;
        this.shell = shell;
    }

    public static CliCommand of(String javaHome, String jar, Shell shell) {
        return new CliCommand(javaExecutable(javaHome, shell), jar, shell);
    }

    /** The Java executable under {@code javaHome}; {@code java} from the PATH only where none is known. */
    public static String javaExecutable(String javaHome, Shell shell) {
        if (javaHome == null || javaHome.isBlank()) {
            return "java";
        }
        String home = javaHome.strip();
        String separator = shell == Shell.WINDOWS ? "\\" : "/";
        while (home.length() > 1 && (home.endsWith("/") || home.endsWith(separator))) {
            home = home.substring(0, home.length() - 1);
        }
        return shell == Shell.WINDOWS ? home + "\\bin\\java.exe" : home + "/bin/java";
    }

    /** The Java executable, unquoted (for an environment variable). */
    public String java() {
        return java;
    }

    /** The jar, unquoted (for an environment variable). */
    public String jar() {
        return jar;
    }

    /** One command line, each part quoted where the shell would otherwise split or expand it. */
    public String render() {
        return quote(java, shell) + " -jar " + quote(jar, shell);
    }

    public static String quote(String argument, Shell shell) {
        return shell == Shell.WINDOWS ? quoteWindows(argument) : quotePosix(argument);
    }

    /** As POSIX sh reads it back: single quotes, a single quote itself written as {@code '"'"'}. */
    static String quotePosix(String argument) {
        if (!argument.isEmpty() && POSIX_SAFE.matcher(argument).matches()) {
            return argument;
        }
        return "'" + argument.replace("'", "'\"'\"'") + "'";
    }

    /** As cmd.exe in a batch script reads it back: double quotes, '%' doubled (it expands even inside quotes). */
    static String quoteWindows(String argument) {
        if (argument.indexOf('"') >= 0) {
            throw new IllegalArgumentException("a Windows path cannot contain '\"': " + argument);
        }
        if (!argument.isEmpty() && WINDOWS_SAFE.matcher(argument).matches()) {
            return argument;
        }
        return "\"" + argument.replace("%", "%%") + "\"";
    }

    @Override
    public String toString() {
        return render();
    }
}
