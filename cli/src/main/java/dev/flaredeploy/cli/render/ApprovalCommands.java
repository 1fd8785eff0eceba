package dev.flaredeploy.cli.render;

/** The command lines a person types to approve or reject the plan a deployment waits on, spelled in one place. */
public final class ApprovalCommands {
  private ApprovalCommands() {}

  /** "flaredeploy approve deploy:…:tenant-a --digest D". */
  public static String approve(String id, String digest) {
    return "flaredeploy approve " + id + " --digest " + digest;
  }

  /** "flaredeploy reject deploy:…:tenant-a --reason TEXT". */
  public static String reject(String id) {
    return "flaredeploy reject " + id + " --reason TEXT";
  }
}
