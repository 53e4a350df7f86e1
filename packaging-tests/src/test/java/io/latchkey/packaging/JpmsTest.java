package io.latchkey.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Module names and the module path. The jars under test are this module's test dependencies as
 * the reactor built them; the smoke application in src/test/jpms is compiled and run with the
 * JDK running the tests, on the module path only.
 */
class JpmsTest {

  /** Every published artifact (the BOM's list) and its module name. */
  private static final Map<String, String> MODULE_NAMES = Map.ofEntries(
      Map.entry("latchkey-core", "io.latchkey"),
      Map.entry("latchkey-testkit", "io.latchkey.testkit"),
      Map.entry("latchkey-store-memory", "io.latchkey.store.memory"),
      Map.entry("latchkey-store-jdbc", "io.latchkey.store.jdbc"),
      Map.entry("latchkey-store-redis", "io.latchkey.store.redis"),
      Map.entry("latchkey-management", "io.latchkey.management"),
      Map.entry("latchkey-cli", "io.latchkey.cli"),
      Map.entry("latchkey-servlet", "io.latchkey.servlet"),
      Map.entry("latchkey-spring-boot-starter", "io.latchkey.spring"),
      Map.entry("latchkey-jaxrs", "io.latchkey.jaxrs"),
      Map.entry("latchkey-micrometer", "io.latchkey.micrometer"));

  private static final Path JPMS_SOURCES =
      Path.of(System.getProperty("latchkey.root", "..")).resolve("packaging-tests/src/test/jpms");

  /** The test class path entry whose path contains {@code fragment}. */
  private static Path onClassPath(String fragment) {
    List<Path> found = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> e.replace('\\', '/').contains(fragment))
        .map(Path::of)
        .collect(Collectors.toList());
    assertThat(found).as(fragment).hasSize(1);
    return found.get(0);
  }

  private static Path latchkeyJar(String artifactId) {
    String module = artifactId.replace("latchkey-", "");
    Path entry = onClassPath("/" + module + "/target/");
    assertThat(entry.getFileName().toString())
        .as("run through `mvn verify`, so that the reactor hands over jars, not class folders")
        .endsWith(".jar");
    return entry;
  }

  @Test
  void everyPublishedJar_hasItsStableModuleName() {
    MODULE_NAMES.forEach((artifactId, name) -> {
      ModuleReference module = ModuleFinder.of(latchkeyJar(artifactId)).findAll().iterator().next();
      assertThat(module.descriptor().name()).as(artifactId).isEqualTo(name);
    });
  }

  @Test
  void everyArtifactInTheBom_hasAModuleNameHere() throws IOException {
    String bom = Files.readString(Path.of(System.getProperty("latchkey.root", ".."))
        .resolve("bom/pom.xml"));
    java.util.Set<String> published = new java.util.TreeSet<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("<artifactId>(latchkey-[a-z0-9-]+)</artifactId>").matcher(bom);
    while (m.find()) published.add(m.group(1));
    published.remove("latchkey-bom");
    assertThat(published).isNotEmpty();
    assertThat(new java.util.TreeSet<>(MODULE_NAMES.keySet())).isEqualTo(published);
  }

  @Test
  void core_exportsOnlyTheApiAndTheSpi() {
    ModuleDescriptor core = ModuleFinder.of(latchkeyJar("latchkey-core"))
        .find("io.latchkey").orElseThrow().descriptor();
    assertThat(core.isAutomatic()).isFalse();
    assertThat(core.exports()).extracting(ModuleDescriptor.Exports::source)
        .containsExactlyInAnyOrder("io.latchkey", "io.latchkey.spi");
    assertThat(core.packages()).contains("io.latchkey.internal");
  }

  @Test
  void applicationOnTheModulePath_requiresCoreAndAStoreAndRuns(@TempDir Path work)
      throws Exception {
    String modulePath = modulePath();
    Path classes = work.resolve("classes");
    CompileResult compiled = compile(JPMS_SOURCES.resolve("app"), classes, modulePath);
    assertThat(compiled.ok).as(compiled.output).isTrue();

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(),
        "--module-path", classes + File.pathSeparator + modulePath,
        "--module", "io.latchkey.smoke/io.latchkey.smoke.Main")
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("valid=true", "module io.latchkey named=true", "exports internal=false");
  }

  @Test
  void applicationOnTheModulePath_cannotCompileAgainstInternal(@TempDir Path work)
      throws Exception {
    CompileResult compiled =
        compile(JPMS_SOURCES.resolve("internal"), work.resolve("classes"), modulePath());
    assertThat(compiled.ok).isFalse();
    assertThat(compiled.output).contains("package io.latchkey.internal is not visible");
  }

  /** core and the in-memory store as jars, and what core requires at run time. */
  private static String modulePath() {
    return Stream.of(latchkeyJar("latchkey-core"), latchkeyJar("latchkey-store-memory"),
            onClassPath("/caffeine-"), onClassPath("/jspecify-"),
            onClassPath("/bcprov-jdk18on-"))
        .map(Path::toString)
        .collect(Collectors.joining(File.pathSeparator));
  }

  private record CompileResult(boolean ok, String output) {}

  private static CompileResult compile(Path sources, Path classes, String modulePath)
      throws IOException {
    List<String> args = new ArrayList<>(List.of(
        "--release", "17", "-d", classes.toString(), "--module-path", modulePath));
    try (Stream<Path> files = Files.walk(sources)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = javac.run(null, err, err, args.toArray(String[]::new));
    return new CompileResult(code == 0, err.toString(StandardCharsets.UTF_8));
  }
}
