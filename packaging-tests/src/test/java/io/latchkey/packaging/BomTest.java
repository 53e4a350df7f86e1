package io.latchkey.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * latchkey-bom has no parent (so that importing it pins nothing but Latchkey), which means
 * nothing in Maven keeps it in step with the reactor: this test does. A module added to the
 * root POM is published unless its POM sets {@code maven.deploy.skip}, and then it must be in
 * the BOM.
 */
class BomTest {

  private static final Path ROOT = Path.of(System.getProperty("latchkey.root", "..")).normalize();

  @Test
  void bom_listsEveryPublishedModule() throws Exception {
    Document root = parse(ROOT.resolve("pom.xml"));
    Set<String> published = new TreeSet<>();
    for (Element module : children(child(root.getDocumentElement(), "modules"), "module")) {
      Document pom = parse(ROOT.resolve(module.getTextContent().trim()).resolve("pom.xml"));
      String artifactId = text(pom.getDocumentElement(), "artifactId");
      Element properties = child(pom.getDocumentElement(), "properties");
      boolean skipped = properties != null && "true".equals(text(properties, "maven.deploy.skip"));
      if (!skipped && !artifactId.equals("latchkey-bom")) {
        published.add(artifactId);
      }
    }

    Document bom = parse(ROOT.resolve("bom/pom.xml"));
    Set<String> managed = new TreeSet<>();
    Element management = child(child(bom.getDocumentElement(), "dependencyManagement"), "dependencies");
    for (Element dependency : children(management, "dependency")) {
      assertThat(text(dependency, "groupId")).isEqualTo("io.latchkey");
      assertThat(text(dependency, "version")).isEqualTo("${project.version}");
      managed.add(text(dependency, "artifactId"));
    }

    assertThat(published).contains("latchkey-core", "latchkey-testkit", "latchkey-store-memory");
    assertThat(managed).isEqualTo(published);
  }

  @Test
  void bom_hasTheReactorsVersionAndMetadata() throws Exception {
    Element root = parse(ROOT.resolve("pom.xml")).getDocumentElement();
    Element bom = parse(ROOT.resolve("bom/pom.xml")).getDocumentElement();

    assertThat(child(bom, "parent")).as("the BOM must not inherit the parent's pins").isNull();
    assertThat(text(bom, "groupId")).isEqualTo(text(root, "groupId"));
    assertThat(text(bom, "version")).isEqualTo(text(root, "version"));
    for (String element : new String[] {"url", "licenses", "developers", "scm", "issueManagement"}) {
      assertThat(child(bom, element).getTextContent())
          .as(element)
          .isEqualTo(child(root, element).getTextContent());
    }
  }

  @Test
  void bom_propertiesHaveTheParentsValues() throws Exception {
    Element parent = child(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "properties");
    Element bom = child(parse(ROOT.resolve("bom/pom.xml")).getDocumentElement(), "properties");
    java.util.List<Element> pins = children(bom, "*");
    assertThat(pins).isNotEmpty();
    for (Element pin : pins) {
      assertThat(pin.getTextContent().trim())
          .as(pin.getTagName())
          .isEqualTo(text(parent, pin.getTagName()));
    }
  }

  private static Document parse(Path pom) throws Exception {
    assertThat(pom).exists();
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (var in = Files.newInputStream(pom)) {
      return factory.newDocumentBuilder().parse(in);
    }
  }

  private static Element child(Element parent, String name) {
    if (parent == null) return null;
    for (Element e : children(parent, name)) return e;
    return null;
  }

  private static java.util.List<Element> children(Element parent, String name) {
    java.util.List<Element> found = new java.util.ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element e && (name.equals("*") || e.getTagName().equals(name))) {
        found.add(e);
      }
    }
    return found;
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }
}
