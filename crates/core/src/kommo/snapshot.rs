//! What one parse reads from a source of settings, and how the drop-in's reader hands the
//! config tags of a whole batch over in one string (crates/web/js/read-tags.js): one call
//! out of the wasm per batch, where reading attribute by attribute took a dozen per tag.
//!
//! The string's fields are joined by NUL: the page's origin, then per tag its kind (`s` a
//! `<script>`, `e` any other element; upper-case with the `amocrm_oauth` class) and each
//! `data-*` attribute's name and value. A kind is one letter and a name starts with `data-`,
//! so a field in a name's place says which it is; no value holds a NUL (the reader reads one
//! as U+FFFD, as the HTML parser does in markup).

use crate::kommo::config::Provider;
use crate::kommo::trust::Author;
use crate::strings::split;
use alloc::string::String;
use alloc::vec::Vec;

/// One source's settings as they are now, with who wrote them on which page: everything
/// `parse::parse` reads. By default: none, from markup, on no page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub provider: Provider,
    pub author: Author,
    /// The page's origin.
    pub page: String,
    /// `(attribute, value)` pairs, options keys mapped to their attribute names.
    pub pairs: Vec<(String, String)>,
}

/// The tags of one batch, in the reader's order; `None` when the text is not the reader's.
pub fn decode(text: &str) -> Option<Vec<Snapshot>> {
    let mut fields = split(text, 0);
    let page = fields.next()?;
    let mut tags: Vec<Snapshot> = Vec::new();
    while let Some(field) = fields.next() {
        let (provider, author) = match field {
            "s" => (Provider::Kommo, Author::ScriptTag),
            "e" => (Provider::Kommo, Author::Markup),
            "S" => (Provider::AmoCrm, Author::ScriptTag),
            "E" => (Provider::AmoCrm, Author::Markup),
            name => {
                let value = fields.next()?;
                let tag = tags.last_mut().filter(|_| name.starts_with("data-"))?;
                tag.pairs.push((String::from(name), String::from(value)));
                continue;
            }
        };
        tags.push(Snapshot {
            provider,
            author,
            page: String::from(page),
            pairs: Vec::new(),
        });
    }
    Some(tags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (String::from(*n), String::from(*v)))
            .collect()
    }

    #[test]
    fn reads_each_tag_with_its_kind_and_attributes() {
        let text = "https://shop.test\0s\0data-client-id\0c1\0data-redirect\0\0E\0S\0data-title\0s\0e\0data-state\0E";
        let tags = decode(text).unwrap();
        assert_eq!(tags.len(), 4);
        assert_eq!(
            tags[0],
            Snapshot {
                provider: Provider::Kommo,
                author: Author::ScriptTag,
                page: String::from("https://shop.test"),
                pairs: pairs(&[("data-client-id", "c1"), ("data-redirect", "")]),
            }
        );
        assert_eq!(
            (tags[1].provider, tags[1].author),
            (Provider::AmoCrm, Author::Markup)
        );
        assert!(tags[1].pairs.is_empty());
        assert_eq!(
            (tags[2].provider, tags[2].author),
            (Provider::AmoCrm, Author::ScriptTag)
        );
        assert_eq!(
            tags[2].pairs,
            pairs(&[("data-title", "s")]),
            "a value is never a kind"
        );
        assert_eq!(
            (tags[3].provider, tags[3].author),
            (Provider::Kommo, Author::Markup)
        );
        assert_eq!(tags[3].pairs, pairs(&[("data-state", "E")]));
        assert_eq!(tags[3].page, "https://shop.test");
        assert_eq!(decode("null").unwrap(), vec![]);
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "o\0x",
            "o\0data-a\0b",
            "o\0s\0title\0b",
            "o\0s\0data-a",
            "o\0s\0data-a\0b\0data-c",
            "o\0e\0data-a\0b\0",
        ] {
            assert_eq!(decode(text), None, "{text:?}");
        }
    }
}
