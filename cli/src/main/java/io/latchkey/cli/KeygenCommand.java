package io.latchkey.cli;

import io.latchkey.HashingKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = {"Print a new random 256-bit hashing key in Base64, for LATCHKEY_HASHING_KEY.",
        "  export LATCHKEY_HASHING_KEY=$(latchkey keygen)",
        "Keep it in a secret manager: every token's hash depends on it. Touches no store."})
final class KeygenCommand implements Callable<Integer> {
  @ParentCommand
  LatchkeyCommand root;

  @Option(names = "--id", paramLabel = "ID", defaultValue = Session.DEFAULT_KEY_ID,
      description = "The key's id, for LATCHKEY_HASHING_KEY_ID. Default: ${DEFAULT-VALUE}")
  String id = Session.DEFAULT_KEY_ID;

  @Override
  public Integer call() {
    HashingKey key = HashingKey.generate(id);
    if (root.json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", key.id());
      out.put("key", key.toBase64());
      root.ctx.out().println(Render.json(out));
    } else {
      root.ctx.out().println(key.toBase64());
      if (!key.id().equals(Session.DEFAULT_KEY_ID)) {
        root.ctx.err().println("latchkey keygen: also set " + Session.ENV_KEY_ID + "=" + key.id());
      }
    }
    return ExitCode.OK;
  }
}
