package io.latchkey.cli;

import io.latchkey.Token;
import io.latchkey.TokenId;
import io.latchkey.TokenUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "update", mixinStandardHelpOptions = true,
    description = {"Change a token's name, description, allowlist or metadata.",
        "Permissions have their own command: permissions."})
final class UpdateCommand extends StoreCommand {
  @Parameters(paramLabel = "ID", converter = Converters.Id.class, description = "The token id.")
  TokenId id;

  @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "A new short name.")
  @Nullable String name;

  @Option(names = "--description", paramLabel = "TEXT",
      description = "A new longer note (empty: none).")
  @Nullable String description;

  @Option(names = "--allow-ip", paramLabel = "CIDR",
      description = "Replace the allowlist with these addresses or ranges. Repeatable.")
  List<String> allowedIps = new ArrayList<>();

  @Option(names = "--allow-any-ip", description = "Clear the allowlist: any address may use it.")
  boolean allowAnyIp;

  @Option(names = "--metadata", paramLabel = "KEY=VALUE",
      description = "Replace the metadata with these entries. Repeatable.")
  Map<String, String> metadata = new LinkedHashMap<>();

  @Option(names = "--clear-metadata", description = "Remove all metadata.")
  boolean clearMetadata;

  private @Nullable TokenUpdate update;

  @Override
  void check() {
    if (allowAnyIp && !allowedIps.isEmpty()) {
      throw usage("--allow-ip and --allow-any-ip contradict each other");
    }
    if (clearMetadata && !metadata.isEmpty()) {
      throw usage("--metadata and --clear-metadata contradict each other");
    }
    TokenUpdate u = TokenUpdate.create();
    if (name != null) u.name(name);
    if (description != null) u.description(description);
    if (!allowedIps.isEmpty() || allowAnyIp) u.allowedIps(allowedIps);
    if (!metadata.isEmpty() || clearMetadata) u.metadata(metadata);
    if (u.isEmpty()) {
      throw usage("nothing to update: give --name, --description, --allow-ip, --allow-any-ip,"
          + " --metadata or --clear-metadata");
    }
    this.update = u;
  }

  @Override
  int run(Session session) {
    Token t = session.tokens().update(id, update);
    if (json()) printJson(Render.tokenJson(t));
    else print(Render.tokenText(t));
    return ExitCode.OK;
  }
}
