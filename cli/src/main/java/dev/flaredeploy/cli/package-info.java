/**
 * The {@code flaredeploy} command line: one picocli class per subcommand (options → request → {@link
 * dev.flaredeploy.cli.client.Deployments} → render → exit code). Results go to stdout, narration to
 * stderr; exit codes are in {@link dev.flaredeploy.cli.ExitCode}.
 */
package dev.flaredeploy.cli;
