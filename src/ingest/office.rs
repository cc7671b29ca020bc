//! Word (`.docx`) and OpenDocument text (`.odt`) files: paragraphs in document order, and the
//! title, author and dates from the document's properties.
//!
//! Both formats are zip archives of XML: the body in one part (`word/document.xml`,
//! `content.xml`), the properties in another (`docProps/core.xml`, `meta.xml`). Only paragraph
//! text is read: tracked deletions, field codes, comments and footnote bodies are not the
//! document's prose. An archive is read with bounded sizes (a small zip can inflate to gigabytes)
//! and inside a bounded parse, so a hostile or broken file is a reported skip, never a stall.
use std::io::{Cursor, Read};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::text::{collapse_ws, non_empty, split_authors};
use super::{Article, SkipReason, bounded, date};

/// Largest inflated size of one XML part; a novel-length document is a few megabytes.
const MAX_PART_BYTES: u64 = 64 << 20;

/// Wall-clock budget for one document.
const TIME_BUDGET: Duration = Duration::from_secs(20);

/// The start of every OLE compound file: encrypted Office documents and legacy `.doc` files.
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub fn parse_docx(bytes: &[u8]) -> Result<Article, SkipReason> {
    let bytes: Arc<[u8]> = Arc::from(bytes);
    bounded::run("DOCX", TIME_BUDGET, move || read_docx(&bytes))
}

pub fn parse_odt(bytes: &[u8]) -> Result<Article, SkipReason> {
    let bytes: Arc<[u8]> = Arc::from(bytes);
    bounded::run("ODT", TIME_BUDGET, move || read_odt(&bytes))
}

/// A paragraph and what kind of block it was.
#[derive(Debug, PartialEq)]
struct Para {
    text: String,
    role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Title,
    Heading,
    Body,
}

/// Fields from the document properties.
#[derive(Default)]
struct Properties {
    title: Option<String>,
    creator: Option<String>,
    created: Option<NaiveDate>,
    modified: Option<NaiveDate>,
}

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

fn open(bytes: &[u8]) -> Result<Archive<'_>, SkipReason> {
    if bytes.starts_with(OLE_MAGIC) {
        // Word saves password-protected .docx files inside an OLE container; a legacy .doc
        // file has the same wrapper but no encrypted package stream.
        let marker: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        return Err(if bytes.windows(marker.len()).any(|w| w == marker) {
            SkipReason::Encrypted
        } else {
            SkipReason::Malformed("a legacy binary document, not a zip-based one".into())
        });
    }
    zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SkipReason::Malformed(format!("broken or truncated archive: {e}")))
}

/// One part of the archive as text, `None` when absent.
fn part(archive: &mut Archive<'_>, name: &str) -> Result<Option<String>, SkipReason> {
    let file = match archive.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(SkipReason::Malformed(format!("cannot read {name}: {e}"))),
    };
    if file.encrypted() {
        return Err(SkipReason::Encrypted);
    }
    let mut out = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| SkipReason::Malformed(format!("cannot inflate {name}: {e}")))?;
    if out.len() as u64 > MAX_PART_BYTES {
        return Err(SkipReason::TooLarge);
    }
    Ok(Some(String::from_utf8_lossy(&out).into_owned()))
}

fn required(archive: &mut Archive<'_>, name: &str) -> Result<String, SkipReason> {
    part(archive, name)?.ok_or_else(|| SkipReason::Malformed(format!("no {name} in the archive")))
}

/// The document properties from their part, empty when the archive has none.
fn properties_part(archive: &mut Archive<'_>, name: &str) -> Result<Properties, SkipReason> {
    match part(archive, name)? {
        Some(xml) => properties(&xml),
        None => Ok(Properties::default()),
    }
}

fn read_docx(bytes: &[u8]) -> Result<Article, SkipReason> {
    let mut archive = open(bytes)?;
    let body = required(&mut archive, "word/document.xml")?;
    let paras = docx_paragraphs(&body)?;
    Ok(article(
        paras,
        properties_part(&mut archive, "docProps/core.xml")?,
    ))
}

fn read_odt(bytes: &[u8]) -> Result<Article, SkipReason> {
    let mut archive = open(bytes)?;
    if part(&mut archive, "META-INF/manifest.xml")?.is_some_and(|m| m.contains("encryption-data")) {
        return Err(SkipReason::Encrypted);
    }
    let body = required(&mut archive, "content.xml")?;
    let paras = odt_paragraphs(&body)?;
    Ok(article(paras, properties_part(&mut archive, "meta.xml")?))
}

fn xml_error(e: impl std::fmt::Display) -> SkipReason {
    SkipReason::Malformed(format!("broken XML: {e}"))
}

/// Text of an entity or character reference (`&amp;`, `&#233;`).
fn reference_text(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c);
    }
    match r.xml10_content().as_ref() {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

/// Paragraphs of a WordprocessingML body. Text is taken from `w:t` runs only, so deleted
/// revisions (`w:delText`) and field instructions (`w:instrText`) stay out.
fn docx_paragraphs(xml: &str) -> Result<Vec<Para>, SkipReason> {
    let mut reader = Reader::from_str(xml);
    let mut paras = Vec::new();
    let mut text = String::new();
    let mut role = Role::Body;
    let mut in_text = false;
    // Comments, footnote references and text boxes nest their own paragraphs.
    let mut skip_depth = 0usize;
    loop {
        match reader.read_event().map_err(xml_error)? {
            Event::Eof => break,
            Event::Start(e) => match e.local_name().as_ref() {
                "t" if skip_depth == 0 => in_text = true,
                "p" if skip_depth == 0 => {
                    text.clear();
                    role = Role::Body;
                }
                "txbxContent" | "comment" | "footnote" | "endnote" | "del" => skip_depth += 1,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "pStyle" => role = docx_role(&attr(&e, "val").unwrap_or_default()).max_with(role),
                "outlineLvl" if role == Role::Body => role = Role::Heading,
                "tab" | "br" | "cr" if skip_depth == 0 => text.push(' '),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" if skip_depth == 0 => {
                    if let Some(t) = non_empty(&text) {
                        paras.push(Para { text: t, role });
                    }
                    text.clear();
                }
                "txbxContent" | "comment" | "footnote" | "endnote" | "del" => {
                    skip_depth = skip_depth.saturating_sub(1)
                }
                _ => {}
            },
            Event::Text(t) if in_text && skip_depth == 0 => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text && skip_depth == 0 => {
                text.extend(reference_text(&r));
            }
            _ => {}
        }
    }
    Ok(paras)
}

impl Role {
    /// A style names the block; an outline level set earlier in the same paragraph is kept.
    fn max_with(self, other: Role) -> Role {
        match (self, other) {
            (Role::Title, _) | (_, Role::Title) => Role::Title,
            (Role::Heading, _) | (_, Role::Heading) => Role::Heading,
            _ => Role::Body,
        }
    }
}

fn docx_role(style: &str) -> Role {
    let s = style.to_ascii_lowercase();
    if s == "title" {
        Role::Title
    } else if s.starts_with("heading") || s.starts_with("berschrift") || s.starts_with("titre") {
        Role::Heading
    } else {
        Role::Body
    }
}

/// Paragraphs and headings of an OpenDocument text body, in order. `text:s` stands for spaces
/// and `text:tab`/`text:line-break` for breaks; notes and annotations are skipped.
fn odt_paragraphs(xml: &str) -> Result<Vec<Para>, SkipReason> {
    let mut reader = Reader::from_str(xml);
    let mut paras = Vec::new();
    // Paragraphs can nest (a caption inside a frame inside a paragraph): one buffer per level.
    let mut open: Vec<Para> = Vec::new();
    let mut skip_depth = 0usize;
    let mut in_body = false;
    loop {
        match reader.read_event().map_err(xml_error)? {
            Event::Eof => break,
            Event::Start(e) => match e.local_name().as_ref() {
                "text" if !in_body => in_body = true,
                "note" | "annotation" | "tracked-changes" | "sequence-decls" => skip_depth += 1,
                "p" | "h" if in_body && skip_depth == 0 => {
                    let role = if e.local_name().as_ref() == "h" {
                        Role::Heading
                    } else if attr(&e, "style-name")
                        .is_some_and(|s| s.eq_ignore_ascii_case("title"))
                    {
                        Role::Title
                    } else {
                        Role::Body
                    };
                    open.push(Para {
                        text: String::new(),
                        role,
                    });
                }
                _ => {}
            },
            Event::Empty(e) if skip_depth == 0 => {
                if let Some(p) = open.last_mut() {
                    match e.local_name().as_ref() {
                        "s" => {
                            let n = attr(&e, "c").and_then(|c| c.parse().ok()).unwrap_or(1usize);
                            p.text.extend(std::iter::repeat_n(' ', n.min(64)));
                        }
                        "tab" | "line-break" => p.text.push(' '),
                        _ => {}
                    }
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "note" | "annotation" | "tracked-changes" | "sequence-decls" => {
                    skip_depth = skip_depth.saturating_sub(1)
                }
                "p" | "h" if skip_depth == 0 => {
                    if let Some(mut p) = open.pop()
                        && let Some(t) = non_empty(&p.text)
                    {
                        p.text = t;
                        paras.push(p);
                    }
                }
                _ => {}
            },
            Event::Text(t) if skip_depth == 0 => {
                if let Some(p) = open.last_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if skip_depth == 0 => {
                if let Some(p) = open.last_mut() {
                    p.text.extend(reference_text(&r));
                }
            }
            _ => {}
        }
    }
    Ok(paras)
}

/// Title, creator and dates from `docProps/core.xml` or `meta.xml` (Dublin Core names in both).
fn properties(xml: &str) -> Result<Properties, SkipReason> {
    let mut reader = Reader::from_str(xml);
    let mut props = Properties::default();
    let mut field: Option<String> = None;
    let mut value = String::new();
    loop {
        match reader.read_event().map_err(xml_error)? {
            Event::Eof => break,
            Event::Start(e) => {
                field = Some(e.local_name().as_ref().to_string());
                value.clear();
            }
            Event::Text(t) if field.is_some() => value.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if field.is_some() => value.extend(reference_text(&r)),
            Event::End(_) => {
                if let Some(name) = field.take() {
                    props.set(&name, &value);
                }
            }
            _ => {}
        }
    }
    Ok(props)
}

impl Properties {
    fn set(&mut self, name: &str, value: &str) {
        let day = || date::parse_date(value).ok().flatten();
        match name {
            "title" => self.title = self.title.take().or_else(|| non_empty(value)),
            "creator" | "initial-creator" => {
                self.creator = self.creator.take().or_else(|| non_empty(value))
            }
            "created" | "creation-date" => self.created = self.created.or_else(day),
            "modified" | "date" => self.modified = self.modified.or_else(day),
            _ => {}
        }
    }
}

/// Headline from the title property, else the first Title-styled paragraph, else the first
/// heading; a paragraph that repeats the headline is not kept in the body.
fn article(paras: Vec<Para>, props: Properties) -> Article {
    let first_of = |role| paras.iter().position(|p| p.role == role);
    let heading_at = first_of(Role::Title).or_else(|| first_of(Role::Heading));
    let headline = props
        .title
        .clone()
        .or_else(|| heading_at.map(|i| paras[i].text.clone()))
        .unwrap_or_default();
    let body: Vec<String> = paras
        .into_iter()
        .enumerate()
        .filter(|(i, p)| {
            !(p.role != Role::Body && collapse_ws(&p.text) == headline
                || Some(*i) == heading_at && props.title.is_none())
        })
        .map(|(_, p)| p.text)
        .collect();
    Article {
        headline,
        body: body.join("\n\n"),
        date: props.created.or(props.modified),
        authors: props.creator.map(|c| split_authors(&c)).unwrap_or_default(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docx_runs_join_and_deleted_text_is_left_out() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Budget</w:t></w:r><w:r><w:t xml:space="preserve"> vote</w:t></w:r></w:p>
<w:p><w:r><w:t>Talks &amp; votes</w:t></w:r><w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:r><w:tab/><w:t>resumed.</w:t></w:r></w:p>
</w:body></w:document>"#;
        let p = docx_paragraphs(xml).unwrap();
        assert_eq!(
            p,
            vec![
                Para {
                    text: "Budget vote".into(),
                    role: Role::Heading
                },
                Para {
                    text: "Talks & votes resumed.".into(),
                    role: Role::Body
                }
            ]
        );
    }

    #[test]
    fn odt_spaces_headings_and_notes() {
        let xml = r#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>
<text:sequence-decls><text:sequence-decl text:name="Figure"/></text:sequence-decls>
<text:h text:outline-level="1">Harbour plan</text:h>
<text:p>Two<text:s text:c="3"/>spaces<text:note><text:note-body><text:p>A footnote.</text:p></text:note-body></text:note> here.</text:p>
</office:text></office:body></office:document-content>"#;
        let p = odt_paragraphs(xml).unwrap();
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].role, Role::Heading);
        assert_eq!(p[1].text, "Two spaces here.");
    }

    #[test]
    fn properties_from_core_xml() {
        let xml = r#"<cp:coreProperties xmlns:cp="c" xmlns:dc="d" xmlns:dcterms="t"><dc:title>Port report</dc:title><dc:creator>Ana Ruiz</dc:creator><dcterms:created>2024-05-02T08:00:00Z</dcterms:created></cp:coreProperties>"#;
        let p = properties(xml).unwrap();
        assert_eq!(p.title.as_deref(), Some("Port report"));
        assert_eq!(p.creator.as_deref(), Some("Ana Ruiz"));
        assert_eq!(p.created, NaiveDate::from_ymd_opt(2024, 5, 2));
    }

    #[test]
    fn not_a_zip_is_malformed() {
        assert!(matches!(
            read_docx(b"PK\x03\x04 truncated"),
            Err(SkipReason::Malformed(_))
        ));
    }
}
