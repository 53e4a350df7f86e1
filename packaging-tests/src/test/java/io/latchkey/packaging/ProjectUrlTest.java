package io.latchkey.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Where the project lives is said in one place, the root POM's {@code <url>}: the SCM, issue
 * tracker, the BOM's copy, the CHANGELOG's links and the README's and CONTRIBUTING's words must
 * point under it, so moving the repository is one edit plus the copies this test names.
 */
class ProjectUrlTest {
  private static final Path ROOT = Path.of(System.getProperty("latchkey.root", "..")).normalize();
  private static final List<String> FILES = List.of("pom.xml", "bom/pom.xml", "README.md",
      "CONTRIBUTING.md", "SECURITY.md", "CHANGELOG.md");

  @Test
  void everyLinkToTheProject_isUnderTheRootPomsUrl() throws Exception {
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    Matcher url = Pattern.compile("<url>(https://[^<]+)</url>").matcher(pom);
    assertThat(url.find()).isTrue();
    String home = url.group(1);
    String owner = home.substring(0, home.lastIndexOf('/'));
    int links = 0;
    for (String file : FILES) {
      Matcher m = Pattern.compile("(?:https://|git@)github\\.com[:/]([^\\s)<>\\]\"]+)")
          .matcher(Files.readString(ROOT.resolve(file)));
      while (m.find()) {
        String link = "https://github.com/" + m.group(1);
        // Another project's link, or the owner's page (the POM's <developers>): not the project.
        if (!link.startsWith(owner + "/")) continue;
        assertThat(link).as("%s links to the project", file).startsWith(home);
        links++;
      }
    }
    assertThat(links).isGreaterThan(5);
    assertThat(Files.readString(ROOT.resolve("README.md"))).contains(home);
    assertThat(Files.readString(ROOT.resolve("CONTRIBUTING.md"))).contains(home);
  }
}
