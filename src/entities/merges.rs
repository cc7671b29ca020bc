//! One name per entity across the archive: the variants of one entity that the archive itself
//! shows to be the same, found from the names the index holds and the number of articles
//! carrying each, and mapped to one canonical name.
//!
//! Canonical names are decided inside one article (`canonical`); across articles the same entity
//! is still written several ways: an acronym in one story and its expansion in another, an
//! abbreviated word ("Calif.", "Lib Dems"), singular and plural, a generic suffix or legal form
//! ("Labour" and "Labour Party"), a surname alone where one full name is the only one the archive
//! has with it. Each class is a rule over the archive's own names, never a list of names, and a
//! merge needs evidence that rules out every other reading: the longer name must be carried by at
//! least [`MIN_ARTICLES`] articles and be the only name of its kind that the variant can stand
//! for (or far the most used of them, [`DOMINANT`]). Merges never cross kinds.
//!
//! Merges are kept with the index (each engine stores [`EntityMerges`] beside its entity rules),
//! recomputed after every index run, and applied when a search is answered as extra aliases
//! under the entity rules: a rule that names either side of a merge (an alias, retype, block or
//! keep) always wins, so `newsdex entities keep NAME` undoes a merge.
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::EntityKind;
use super::canonical::initials_of;
use super::lexicon::alias_key;
use super::model::Model;
use super::rules::{Alias, EntityRules, Retype};
use crate::{Error, Result};

/// The merges file in an embedded index's folder.
pub const MERGES_FILE: &str = "entity-merges.json";

/// Fewest articles the name a variant is merged into must have: one article's spelling is no
/// evidence of how the archive names the entity.
pub const MIN_ARTICLES: u64 = 2;

/// How many times the articles of all other readings together one reading must have to be
/// taken when a variant could stand for several names.
const DOMINANT: u64 = 5;
/// Longest and shortest acronym read as one, in letters.
const MAX_ACRONYM: usize = 8;
const MIN_ACRONYM: usize = 2;

/// Why two names are one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The same words in another case ("Labour party", "Labour Party"); the one more articles
    /// use is kept.
    Case,
    /// The variant is the initials of the name, the only name of its kind with those initials.
    Acronym,
    /// Each word of the variant abbreviates the name's word in its place ("Lib Dems").
    Abbreviation,
    /// Singular and plural of one name; the one more articles use is kept.
    Plural,
    /// The names differ by a generic last word or legal form ("Party", "Inc"); the one more
    /// articles use is kept.
    GenericSuffix,
    /// The variant is part of exactly one longer name of its kind (a surname alone).
    ShortForm,
    /// A name filed as a person in some articles is another kind in a good share of the rest,
    /// and no longer person's name in the archive holds it: not a person (see [`kind_moves`]).
    Kind,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Case => "case",
            Reason::Acronym => "acronym",
            Reason::Abbreviation => "abbreviation",
            Reason::Plural => "plural",
            Reason::GenericSuffix => "generic-suffix",
            Reason::ShortForm => "short-form",
            Reason::Kind => "kind",
        }
    }
}

/// One variant shown as another name of the same kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    pub kind: EntityKind,
    pub from: String,
    pub to: String,
    pub reason: Reason,
    /// Articles carrying each name when the merge was found.
    pub from_articles: u64,
    pub to_articles: u64,
    /// The name the variant was first found to stand for, when the merge follows a chain
    /// ("Lib Dem" -> "Liberal Democrat" -> "Liberal Democrats").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The kind the name is moved to, for a [`Reason::Kind`] merge (`to` is then the same name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_kind: Option<EntityKind>,
}

impl Merge {
    /// The evidence in words, for listings and entity pages.
    pub fn evidence(&self) -> String {
        let first = self.via.as_deref().unwrap_or(&self.to);
        let why = match self.reason {
            Reason::Case => format!("{first:?} in another case"),
            Reason::Acronym => format!("the initials of {first:?}, the only such name"),
            Reason::Abbreviation => format!("its words abbreviate those of {first:?}"),
            Reason::Plural => format!("singular/plural of {first:?}"),
            Reason::GenericSuffix => format!("{first:?} but for a generic word or legal form"),
            Reason::ShortForm => format!("part of {first:?} and of no other name"),
            Reason::Kind => {
                let kind = self.to_kind.unwrap_or(self.kind).as_str();
                return format!(
                    "{kind} in {} of the {} articles that name it, and no longer person's name \
                     holds it",
                    self.to_articles,
                    self.to_articles + self.from_articles
                );
            }
        };
        let chain = match &self.via {
            Some(via) => format!("; {via:?} is shown as {:?}", self.to),
            None => String::new(),
        };
        format!(
            "{why}{chain} ({} and {} articles)",
            self.from_articles, self.to_articles
        )
    }
}

/// Every automatic merge kept with an index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityMerges {
    pub merges: Vec<Merge>,
}

impl EntityMerges {
    pub fn is_empty(&self) -> bool {
        self.merges.is_empty()
    }

    /// Merges from their stored JSON; a mistake names `origin`.
    pub fn parse(text: &str, origin: &str) -> Result<EntityMerges> {
        serde_json::from_str(text).map_err(|e| Error::Other(format!("{origin}: {e}")))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The merges that `rules` leave in force: none about a name a rule mentions.
    pub fn in_force<'a>(&'a self, rules: &'a EntityRules) -> impl Iterator<Item = &'a Merge> {
        self.merges.iter().filter(move |m| {
            !rules.mentions(m.kind, &m.from) && !rules.mentions(m.to_kind.unwrap_or(m.kind), &m.to)
        })
    }

    /// `rules` with the merges in force added as aliases after them: what a search is answered
    /// with.
    pub fn under(&self, rules: &EntityRules) -> EntityRules {
        let mut out = rules.clone();
        for m in self.in_force(rules) {
            match m.to_kind {
                Some(to) => out.retype.push(Retype {
                    name: m.from.clone(),
                    to,
                    from: Some(m.kind),
                }),
                None => out.alias.push(Alias {
                    from: m.from.clone(),
                    to: m.to.clone(),
                    kind: Some(m.kind),
                }),
            }
        }
        out
    }

    /// The merge in force that shows `name` of `kind` as another name, if any.
    pub fn of(&self, kind: EntityKind, name: &str) -> Option<&Merge> {
        self.merges
            .iter()
            .find(|m| m.kind == kind && m.from == name)
    }
}

/// Every distinct name of an archive per kind, with its articles: what the pass reads.
pub type NamesByKind = BTreeMap<EntityKind, Vec<NameCount>>;

/// One distinct name of the archive and the articles carrying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCount {
    pub name: String,
    pub articles: u64,
}

/// An acronym an article itself spells out: written as `short` in the article and resolved there
/// to `long`, a name of the same kind in the same article ("International Monetary Fund (IMF)",
/// or both anywhere in one story). Recorded per article at index time, because inside the
/// article the acronym is shown under its expansion and the index no longer holds the pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Link {
    pub kind: EntityKind,
    pub short: String,
    pub long: String,
}

/// Separates a link's parts in the value an engine indexes: a control character no name holds.
const LINK_SEPARATOR: char = '\u{1f}';

impl Link {
    /// The one keyword value an engine indexes for the link.
    pub fn encode(&self) -> String {
        format!(
            "{}{LINK_SEPARATOR}{}{LINK_SEPARATOR}{}",
            self.kind.as_str(),
            self.short,
            self.long
        )
    }

    /// The link an indexed value stands for (`None` for anything else).
    pub fn decode(value: &str) -> Option<Link> {
        let mut parts = value.split(LINK_SEPARATOR);
        let kind = parts.next()?;
        let kind = EntityKind::ALL.into_iter().find(|k| k.as_str() == kind)?;
        let (short, long) = (parts.next()?, parts.next()?);
        parts.next().is_none().then(|| Link {
            kind,
            short: short.to_string(),
            long: long.to_string(),
        })
    }
}

/// The acronyms `mentions` spell out: mentions written as an acronym whose name in the article
/// is a longer one with those initials ("PSP" shown as "Sony PSP" is a short form, not a
/// spelling out).
pub fn links_of(mentions: &[super::Mention]) -> Vec<Link> {
    let mut out: Vec<Link> = mentions
        .iter()
        .filter(|m| m.kind != EntityKind::Person)
        .filter(|m| {
            let words: Vec<String> = m
                .canonical
                .split_whitespace()
                .map(str::to_lowercase)
                .collect();
            // A name holding the acronym as a word ("BT Together") is named after it.
            let written = m.text.trim().to_lowercase();
            words.len() > 1
                && !words.contains(&written)
                && acronym_letters(&m.text).is_some_and(|l| initials_of(&words).contains(&l))
        })
        .map(|m| Link {
            kind: m.kind,
            short: m.text.trim().to_string(),
            long: m.canonical.clone(),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One link of the archive and the articles recording it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCount {
    pub link: Link,
    pub articles: u64,
}

impl LinkCount {
    /// The link an engine's indexed `value` stands for, with its articles (`None` for anything
    /// else).
    pub fn of_value(value: &str, articles: u64) -> Option<LinkCount> {
        Link::decode(value).map(|link| LinkCount { link, articles })
    }
}

/// Find the merges among the archive's names, per kind. `model` tells generic words and legal
/// forms (without one, those classes are left out); `links` are the acronyms the archive's
/// articles spell out, the only evidence an acronym merge is made on.
pub fn find(model: Option<&Model>, names: &NamesByKind, links: &[LinkCount]) -> EntityMerges {
    // Each kind's merges depend on that kind's names alone, so the kinds are searched side by
    // side (this pass runs once the index run is otherwise done, on one core) and their merges
    // joined in the order of the kinds, as one after the other would give them.
    let (per_kind, moves) = std::thread::scope(|scope| {
        let running: Vec<_> = names
            .iter()
            .map(|(&kind, list)| {
                scope.spawn(move || {
                    let spelt: Vec<&LinkCount> =
                        links.iter().filter(|l| l.link.kind == kind).collect();
                    find_kind(model, kind, list, &spelt)
                })
            })
            .collect();
        let moves = kind_moves(model, names);
        let per_kind: Vec<Vec<Merge>> = running
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect();
        (per_kind, moves)
    });
    let mut merges: Vec<Merge> = per_kind.into_iter().flatten().collect();
    merges.extend(moves);
    EntityMerges { merges }
}

/// Fewest articles that must file a person's name as one other kind before the name is moved
/// to it: one or two articles are the tagger's ordinary slips.
const KIND_MIN_ARTICLES: u64 = 3;
/// The share of the name's articles (of all kinds) that other kind must hold, as a fraction
/// `1 / KIND_SHARE`. The tagger files about one person mention in thirty under another kind,
/// so a real person seldom comes near a quarter; a club, a firm or a place with a name that is
/// also a given name ("Chelsea") is split far more evenly.
const KIND_SHARE: u64 = 4;

/// Persons that are not: a name filed as a person in some articles and as one other kind in at
/// least [`KIND_MIN_ARTICLES`] and a [`KIND_SHARE`] of all its articles, that no longer person's
/// name of the archive holds, is moved to that kind. News introduces a person by the full name
/// and then shortens it, so a real person's lone name is part of a longer one somewhere in the
/// archive (and the short-form merge takes it there); a name never written out longer, that
/// other articles file as a club, a firm or a place, is that. A full name is never part of a
/// longer one, so a name of two or more words moves only when it is not shaped like a person's
/// ([`person_like`]) and holds an everyday word ([`has_common_word`]): names from outside the
/// gazetteers ("Qasem Soleimani") have neither given name nor surname the lists know. The evidence is the archive's own filing; no list of names is consulted.
fn kind_moves(model: Option<&Model>, names: &NamesByKind) -> Vec<Merge> {
    let Some(persons) = names.get(&EntityKind::Person) else {
        return Vec::new();
    };
    let inside = inside_longer_names(persons);
    let mut elsewhere: HashMap<(EntityKind, String), u64> = HashMap::new();
    for (&kind, list) in names.iter().filter(|(k, _)| **k != EntityKind::Person) {
        for n in list {
            *elsewhere.entry((kind, kind_key(&n.name))).or_default() += n.articles;
        }
    }
    let mut out = Vec::new();
    for p in persons.iter().filter(|p| !p.name.trim().is_empty()) {
        let k = kind_key(&p.name);
        let words: Vec<&str> = k.split(' ').collect();
        if inside.contains(&k)
            || (words.len() > 1
                && model.is_none_or(|m| person_like(m, &words) || !has_common_word(m, &words)))
        {
            continue;
        }
        let others: Vec<(EntityKind, u64)> = EntityKind::ALL
            .into_iter()
            .filter(|&kind| kind != EntityKind::Person)
            .filter_map(|kind| elsewhere.get(&(kind, k.clone())).map(|&a| (kind, a)))
            .collect();
        let total = p.articles + others.iter().map(|(_, a)| a).sum::<u64>();
        let Some(&(kind, articles)) = others
            .iter()
            .max_by_key(|(kind, a)| (*a, std::cmp::Reverse(*kind)))
        else {
            continue;
        };
        if articles >= KIND_MIN_ARTICLES && articles * KIND_SHARE >= total {
            out.push(Merge {
                kind: EntityKind::Person,
                from: p.name.clone(),
                to: p.name.clone(),
                reason: Reason::Kind,
                from_articles: p.articles,
                to_articles: articles,
                via: None,
                to_kind: Some(kind),
            });
        }
    }
    out
}

/// How the kind move compares names across kinds: the alias key, in lower case.
fn kind_key(name: &str) -> String {
    alias_key(name).to_lowercase()
}

/// Every run of words shorter than a person's name it sits in ("Orme" and "Dana" in "Dana
/// Orme"), by [`kind_key`]: a name found here is part of a longer person's name. One set, so the
/// kind move stays linear in the archive's names.
fn inside_longer_names(persons: &[NameCount]) -> HashSet<String> {
    let mut inside = HashSet::new();
    for n in persons {
        let k = kind_key(&n.name);
        let words: Vec<&str> = k.split(' ').collect();
        for len in 1..words.len() {
            for w in words.windows(len) {
                inside.insert(w.join(" "));
            }
        }
    }
    inside
}

struct Name<'a> {
    text: &'a str,
    articles: u64,
    /// Comparison words: lower case, dots dropped.
    words: Vec<String>,
    /// The comparison words joined by spaces: the name's spelling key, made once because every
    /// class looks names up by it, many times per name.
    key: String,
    /// Every comparison word is letters only (an expansion an abbreviation may stand for).
    alphabetic: bool,
}

impl<'a> Name<'a> {
    fn of(count: &'a NameCount) -> Name<'a> {
        let words: Vec<String> = alias_key(&count.name)
            .split(' ')
            .map(str::to_lowercase)
            .collect();
        Name {
            text: &count.name,
            articles: count.articles,
            key: words.join(" "),
            alphabetic: words.iter().all(|w| w.chars().all(char::is_alphabetic)),
            words,
        }
    }
}

fn find_kind(
    model: Option<&Model>,
    kind: EntityKind,
    list: &[NameCount],
    links: &[&LinkCount],
) -> Vec<Merge> {
    let names: Vec<Name> = list
        .iter()
        .filter(|n| !n.name.trim().is_empty())
        .map(Name::of)
        .collect();
    let index = Index::of(&names);
    // Each name's first found target, by the order of the classes.
    let mut target: HashMap<usize, (usize, Reason)> = HashMap::new();
    for i in 0..names.len() {
        let found = case_variant(&names, &index, i)
            .map(|t| (t, Reason::Case))
            .or_else(|| acronym(&names, &index, links, i).map(|t| (t, Reason::Acronym)))
            .or_else(|| abbreviation(&names, &index, kind, i).map(|t| (t, Reason::Abbreviation)))
            .or_else(|| plural(&names, &index, kind, i).map(|t| (t, Reason::Plural)))
            .or_else(|| {
                generic_suffix(model, &names, &index, kind, i).map(|t| (t, Reason::GenericSuffix))
            })
            .or_else(|| short_form(model, &names, &index, kind, i).map(|t| (t, Reason::ShortForm)));
        if let Some((t, reason)) = found
            && t != i
            && names[t].articles >= MIN_ARTICLES
        {
            target.insert(i, (t, reason));
        }
    }
    let mut out = Vec::new();
    for (&i, &(first, reason)) in &target {
        // Follow the chain to its end; a chain that comes back is no merge.
        let mut end = first;
        let mut seen = vec![i, first];
        while let Some(&(next, _)) = target.get(&end) {
            if seen.contains(&next) {
                break;
            }
            seen.push(next);
            end = next;
        }
        if end == i {
            continue;
        }
        out.push(Merge {
            kind,
            from: names[i].text.to_string(),
            to: names[end].text.to_string(),
            reason,
            from_articles: names[i].articles,
            to_articles: names[end].articles,
            via: (end != first).then(|| names[first].text.to_string()),
            to_kind: None,
        });
    }
    out.sort_by(|a, b| {
        b.from_articles
            .cmp(&a.from_articles)
            .then_with(|| a.from.cmp(&b.from))
    });
    out
}

/// The archive's names of one kind, found by initials and by word.
struct Index {
    by_word: HashMap<String, Vec<usize>>,
    by_key: HashMap<String, usize>,
    /// The names of letters only, by the first two letters of the first word and the number of
    /// words: what an abbreviation can stand for.
    by_opening: HashMap<(String, usize), Vec<usize>>,
}

impl Index {
    fn of(names: &[Name]) -> Index {
        let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_key = HashMap::new();
        let mut by_opening: HashMap<(String, usize), Vec<usize>> = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            if n.alphabetic {
                let at = (opening(&n.words[0]), n.words.len());
                by_opening.entry(at).or_default().push(i);
            }
            // The spelling most articles use stands for its key.
            match by_key.get(&n.key) {
                Some(&j) if more_used(names, j, i).is_none() => {}
                _ => {
                    by_key.insert(n.key.clone(), i);
                }
            }
            let mut seen: Vec<&str> = Vec::new();
            for w in &n.words {
                if !seen.contains(&w.as_str()) {
                    seen.push(w);
                    by_word.entry(w.clone()).or_default().push(i);
                }
            }
        }
        Index {
            by_word,
            by_key,
            by_opening,
        }
    }

    /// The names holding the word `w`.
    fn with_word(&self, w: &str) -> &[usize] {
        self.by_word.get(w).map_or(&[], Vec::as_slice)
    }
}

/// The one name among `candidates` that carries enough articles, when the others carry fewer,
/// or when it carries [`DOMINANT`] times as many articles as all the others together (the
/// archive spells "EU" out as "European Union" far more often than as anything else).
fn only_one(names: &[Name], candidates: impl Iterator<Item = usize>) -> Option<usize> {
    let mut strong: Vec<usize> = candidates
        .filter(|&j| names[j].articles >= MIN_ARTICLES)
        .collect();
    strong.sort_by_key(|&j| std::cmp::Reverse(names[j].articles));
    strong.dedup();
    let (&first, rest) = strong.split_first()?;
    let others: u64 = rest.iter().map(|&j| names[j].articles).sum();
    (others == 0 || names[first].articles >= DOMINANT * others).then_some(first)
}

/// "Labour party" -> "Labour Party": the spelling of the same words most articles use.
fn case_variant(names: &[Name], index: &Index, i: usize) -> Option<usize> {
    let j = *index.by_key.get(&names[i].key)?;
    (j != i).then_some(j)
}

/// "IMF" -> "International Monetary Fund": an acronym that articles of the archive spell out
/// (see [`Link`]), taken to the expansion they spell it out as, when that is the only one or far
/// the most spelt out ([`DOMINANT`]). Initials alone are no evidence: an archive holds many
/// names whose initials some acronym happens to share.
fn acronym(names: &[Name], index: &Index, links: &[&LinkCount], i: usize) -> Option<usize> {
    let n = &names[i];
    acronym_letters(n.text)?;
    let short = n.text.trim();
    // Per expansion the archive holds as a name, the articles spelling the acronym out as it.
    let mut spelt: HashMap<usize, u64> = HashMap::new();
    for l in links.iter().filter(|l| l.link.short == short) {
        let key: Vec<String> = alias_key(&l.link.long)
            .split(' ')
            .map(str::to_lowercase)
            .collect();
        if let Some(&j) = index.by_key.get(&key.join(" "))
            && j != i
        {
            *spelt.entry(j).or_default() += l.articles;
        }
    }
    let mut ranked: Vec<(usize, u64)> = spelt.into_iter().collect();
    ranked.sort_by_key(|&(j, count)| (std::cmp::Reverse(count), j));
    let (&(first, count), rest) = ranked.split_first()?;
    let others: u64 = rest.iter().map(|&(_, c)| c).sum();
    (others == 0 || count >= DOMINANT * others).then_some(first)
}

/// The letters of a name written as an acronym ("IMF", "BoE", "U.N." -> "imf", "boe", "un"):
/// one word of two to eight letters, at least two of them capitals and none of its lower-case
/// letters first or last.
fn acronym_letters(text: &str) -> Option<String> {
    let t = text.trim();
    if !t.chars().all(|c| c.is_alphabetic() || c == '.') {
        return None;
    }
    let letters: Vec<char> = t.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = letters.iter().filter(|c| c.is_uppercase()).count();
    let ends_upper = letters.first().is_some_and(|c| c.is_uppercase())
        && letters.last().is_some_and(|c| c.is_uppercase());
    (letters.len() >= MIN_ACRONYM && letters.len() <= MAX_ACRONYM && capitals >= 2 && ends_upper)
        .then(|| letters.iter().flat_map(|c| c.to_lowercase()).collect())
}

/// "Lib Dems" -> "Liberal Democrats", "Calif." -> "California": as many words, each word of the
/// variant the same as the name's or an abbreviation of it, at least one abbreviated. A one-word
/// variant counts only when written with a full stop. Not for persons: "Dan" may not be "Daniel".
fn abbreviation(names: &[Name], index: &Index, kind: EntityKind, i: usize) -> Option<usize> {
    if kind == EntityKind::Person {
        return None;
    }
    let n = &names[i];
    if n.words.len() == 1 && !n.text.trim_end().ends_with('.') {
        return None;
    }
    let candidates = index
        .by_opening
        .get(&(opening(&n.words[0]), n.words.len()))
        .into_iter()
        .flatten()
        .copied()
        .filter(|&j| j != i)
        .filter(|&j| {
            let long = &names[j].words;
            let pairs = || n.words.iter().zip(long);
            pairs().all(|(s, l)| s == l || abbreviates(s, l)) && pairs().any(|(s, l)| s != l)
        });
    only_one(names, candidates)
}

/// The first two letters of a word.
fn opening(word: &str) -> String {
    word.chars().take(2).collect()
}

/// Is `short` an abbreviation of `long`: at most half as long (or written with a full stop,
/// which the comparison words drop, so any shorter word), the same first two letters, and its
/// letters found in `long` in order ("dems" in "democrats", "calif" in "california"). "Chris" is
/// no abbreviation of "Christmas", nor "South" of "Southern".
fn abbreviates(short: &str, long: &str) -> bool {
    // Called for every pair of names sharing an opening, so it reads the words in place.
    let (s_len, l_len) = (short.chars().count(), long.chars().count());
    if s_len < 2 || s_len * 2 > l_len || s_len >= l_len {
        return false;
    }
    // A plural abbreviates a plural only ("Refs" is not "Reformer").
    let plural = |w: &str| w.ends_with('s');
    if short.chars().take(2).ne(long.chars().take(2)) || plural(short) != plural(long) {
        return false;
    }
    let mut it = long.chars();
    short.chars().all(|c| it.any(|x| x == c))
}

/// "Liberal Democrat" <-> "Liberal Democrats": the same words but a plural ending on the last;
/// the form more articles use is kept. Not for persons ("Williams" is not "William").
fn plural(names: &[Name], index: &Index, kind: EntityKind, i: usize) -> Option<usize> {
    if kind == EntityKind::Person {
        return None;
    }
    let n = &names[i];
    let (last, head) = n.words.split_last()?;
    let written_last = n.text.split_whitespace().last()?;
    let forms = [
        format!("{last}s"),
        format!("{last}es"),
        last.strip_suffix("es").unwrap_or_default().to_string(),
        last.strip_suffix('s').unwrap_or_default().to_string(),
    ];
    let j = forms
        .into_iter()
        .filter(|w| w.len() >= 2)
        .filter_map(|w| {
            let mut key = head.to_vec();
            key.push(w);
            index.by_key.get(&key.join(" ")).copied()
        })
        .find(|&j| j != i)?;
    // As written: "PDA" and "PDAs" are one, "HBO" and "HBOS" are not, nor "TIM" and "Times".
    let other_last = names[j].text.split_whitespace().last()?;
    let plural_of = |plural: &str, singular: &str| {
        plural
            .strip_prefix(singular)
            .is_some_and(|rest| rest == "s" || rest == "es")
    };
    if !(plural_of(other_last, written_last) || plural_of(written_last, other_last)) {
        return None;
    }
    more_used(names, i, j)
}

/// `j` when it is the form more articles use (ties: the shorter, then the first in byte order),
/// else none: the other direction is found from `j`.
fn more_used(names: &[Name], i: usize, j: usize) -> Option<usize> {
    let key = |k: usize| {
        (
            names[k].articles,
            std::cmp::Reverse(names[k].text.len()),
            std::cmp::Reverse(names[k].text),
        )
    };
    (key(j) > key(i)).then_some(j)
}

/// "Labour Party" <-> "Labour": one name is the other and a generic last word (a word the
/// gazetteers list as ending organisation names) or a legal form; the form more articles use is kept. The short form
/// must stand for one such name only ("Labour" beside "Labour Party" and "Labour Group" stays).
fn generic_suffix(
    model: Option<&Model>,
    names: &[Name],
    index: &Index,
    kind: EntityKind,
    i: usize,
) -> Option<usize> {
    let model = model?;
    if !matches!(kind, EntityKind::Org | EntityKind::Misc) {
        return None;
    }
    let n = &names[i];
    // A legal form, or a word the gazetteers list as ending organisation names ("Party",
    // "Group"); a word merely written in lower case elsewhere ("Capital", "City") is not enough.
    let is_suffix = |word: &str| {
        let shown = title_case(word);
        super::spans::is_legal_form(model, &shown)
            || model.lexicon.gazetteer(&alias_key(word)) & super::lexicon::G_ORG_KEY != 0
    };
    // The short form must name something alone: not a place ("Bristol" is not "Bristol
    // University") nor a word usually in lower case ("Cabinet" is not "Cabinet Office"),
    // unless what is dropped is a legal form.
    let legal = |k: usize| {
        let last = names[k].text.split_whitespace().last().unwrap_or_default();
        super::spans::is_legal_form(model, &title_case(last))
    };
    let stands_alone = |short: usize, long: usize| legal(long) || names_alone(model, &names[short]);
    let original_last = n.text.split_whitespace().last().unwrap_or_default();
    if n.words.len() >= 2 && is_suffix(original_last) {
        // i is the long form: its short form, if the archive has it.
        let short = n.words[..n.words.len() - 1].join(" ");
        let j = *index.by_key.get(&short)?;
        let longs = long_forms(names, index, j, &is_suffix);
        return (longs == [i] && stands_alone(j, i))
            .then(|| more_used(names, i, j))
            .flatten();
    }
    // i is the short form: the one long form made of it and a generic word.
    match long_forms(names, index, i, &is_suffix).as_slice() {
        [j] if stands_alone(i, *j) => more_used(names, i, *j),
        _ => None,
    }
}

/// Does a name name something alone: not a place of the gazetteers, and not one word usually
/// written in lower case.
fn names_alone(model: &Model, name: &Name) -> bool {
    use super::lexicon::{G_CAPITAL, G_CITY, G_COUNTRY, G_REGION, G_US_STATE};
    let place = model.lexicon.gazetteer(&name.key)
        & (G_COUNTRY | G_CAPITAL | G_CITY | G_US_STATE | G_REGION)
        != 0
        || model.place_aliases.contains_key(&name.key);
    let generic = name.words.len() == 1 && super::canonical::is_generic_word(model, name.text);
    !place && !generic
}

/// The names (one per spelling key, the most used) that are `names[i]` and one more generic
/// word.
fn long_forms(
    names: &[Name],
    index: &Index,
    i: usize,
    is_suffix: &dyn Fn(&str) -> bool,
) -> Vec<usize> {
    let n = &names[i];
    index
        .with_word(&n.words[0])
        .iter()
        .copied()
        .filter(|&j| {
            // Cheapest test first: the word holds for every name sharing it, often thousands.
            let w = &names[j].words;
            w.len() == n.words.len() + 1
                && w[..n.words.len()] == n.words[..]
                && index.by_key.get(&names[j].key) == Some(&j)
                && names[j]
                    .text
                    .split_whitespace()
                    .last()
                    .is_some_and(is_suffix)
        })
        .collect()
}

fn title_case(word: &str) -> String {
    let mut cs = word.chars();
    cs.next()
        .map(|f| f.to_uppercase().chain(cs).collect())
        .unwrap_or_default()
}

/// "Nasrallah" -> "Hassan Nasrallah": a surname alone (never a given name) that is the last word
/// of exactly one longer person name, both shaped like persons' names; no other person name holds
/// it. Only for persons: an organisation's words inside a longer name are too often another
/// organisation ("Supreme Court" in "US Supreme Court"), and places never ("York").
fn short_form(
    model: Option<&Model>,
    names: &[Name],
    index: &Index,
    kind: EntityKind,
    i: usize,
) -> Option<usize> {
    if kind != EntityKind::Person {
        return None;
    }
    let model = model?;
    let n = &names[i];
    if !person_shaped(model, n.text) || n.words.len() != 1 || is_given_name_only(model, &n.words[0])
    {
        return None;
    }
    let holders: Vec<usize> = index
        .with_word(&n.words[0])
        .iter()
        .copied()
        .filter(|&j| j != i && names[j].words.len() > n.words.len())
        .filter(|&j| names[j].words.ends_with(&n.words))
        .collect();
    // Every holder counts against uniqueness, however few its articles.
    match holders.as_slice() {
        [j] if names[*j].articles >= MIN_ARTICLES && person_shaped(model, names[*j].text) => {
            Some(*j)
        }
        _ => None,
    }
}

/// Words (lower case) that read as a person's full name: opened by an initial or a given name,
/// or closed by a surname ("J Hayes", "Alicia Keys", "Arjen Robben"), as the gazetteers know
/// them. The surname list holds many everyday words ("Street", "Day", "Hills"), so a word news
/// text usually writes in lower case counts as neither.
fn person_like(model: &Model, words: &[&str]) -> bool {
    use super::lexicon::{G_FIRST_NAME, G_SURNAME};
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    let named = |w: &str, flag: u32| {
        model.lexicon.gazetteer(w) & flag != 0
            && super::casing::usual(&model.lexicon, w) != Some(true)
    };
    first.trim_end_matches('.').chars().count() == 1
        || named(first, G_FIRST_NAME)
        || named(last, G_SURNAME)
}

/// A name of several words built of everyday words ("Hoover Institution", "Sale Sharks"): at
/// least one of them is a word news text usually writes in lower case, as the words of
/// organisations, places and works are and the words of a person's name are not.
fn has_common_word(model: &Model, words: &[&str]) -> bool {
    words
        .iter()
        .any(|w| super::casing::usual(&model.lexicon, w) == Some(true))
}

/// A name shaped like a person's: one to three capitalised words of letters (hyphens and
/// apostrophes allowed), none of them a word usually written in lower case ("Street",
/// "Being").
fn person_shaped(model: &Model, text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    (1..=3).contains(&words.len())
        && words.iter().all(|w| {
            w.starts_with(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
                && !super::canonical::is_generic_word(model, w)
        })
}

/// A given name that is no surname ("Julia"): alone, it could be anyone of that name.
fn is_given_name_only(model: &Model, word: &str) -> bool {
    use super::lexicon::{G_FIRST_NAME, G_SURNAME};
    let flags = model.lexicon.gazetteer(word);
    flags & G_FIRST_NAME != 0 && flags & G_SURNAME == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[(&str, u64)]) -> Vec<NameCount> {
        list.iter()
            .map(|(n, a)| NameCount {
                name: n.to_string(),
                articles: *a,
            })
            .collect()
    }

    fn merged(kind: EntityKind, list: &[(&str, u64)]) -> Vec<(String, String, Reason)> {
        merged_with(kind, list, &[])
    }

    /// `links`: (acronym, expansion, articles spelling it out).
    fn merged_with(
        kind: EntityKind,
        list: &[(&str, u64)],
        links: &[(&str, &str, u64)],
    ) -> Vec<(String, String, Reason)> {
        let model = super::super::model::embedded();
        let mut all = BTreeMap::new();
        all.insert(kind, names(list));
        let links: Vec<LinkCount> = links
            .iter()
            .map(|&(short, long, articles)| LinkCount {
                link: Link {
                    kind,
                    short: short.to_string(),
                    long: long.to_string(),
                },
                articles,
            })
            .collect();
        let mut out: Vec<(String, String, Reason)> = find(model, &all, &links)
            .merges
            .into_iter()
            .map(|m| (m.from, m.to, m.reason))
            .collect();
        out.sort();
        out
    }

    fn m(from: &str, to: &str, r: Reason) -> (String, String, Reason) {
        (from.to_string(), to.to_string(), r)
    }

    #[test]
    fn acronyms_take_the_one_expansion_the_archive_spells_out() {
        let list = [
            ("Meridian Monetary Board", 12),
            ("MMB", 30),
            ("Harbour Trade Council", 4),
            ("HTC", 3),
            ("Hilltop Transit Company", 5),
        ];
        let got = merged_with(
            EntityKind::Org,
            &list,
            &[
                ("MMB", "Meridian Monetary Board", 2),
                ("HTC", "Harbour Trade Council", 1),
                ("HTC", "Hilltop Transit Company", 1),
            ],
        );
        // "HTC" is spelt out as two names: no merge.
        assert_eq!(
            got,
            vec![m("MMB", "Meridian Monetary Board", Reason::Acronym)]
        );
    }

    #[test]
    fn regression_acronym_merged_on_initials_no_article_spells_out() {
        // The initials fit one name each, but no article writes the two together.
        let list = [
            ("Ulverston School of Arts", 20),
            ("USA", 40),
            ("New Year", 30),
            ("NY", 9),
        ];
        assert!(merged_with(EntityKind::Org, &list, &[]).is_empty());
        assert!(merged_with(EntityKind::Misc, &list, &[]).is_empty());
        // A link to a name the archive does not hold as one (another kind, say) is no merge.
        let links = [("USA", "United States of America", 3)];
        assert!(merged_with(EntityKind::Org, &list, &links).is_empty());
    }

    #[test]
    fn links_round_trip_and_come_only_from_spelt_out_acronyms() {
        let link = Link {
            kind: EntityKind::Org,
            short: "MMB".into(),
            long: "Meridian Monetary Board".into(),
        };
        assert_eq!(Link::decode(&link.encode()), Some(link.clone()));
        assert_eq!(Link::decode("org only two"), None);
        let mention = |text: &str, canonical: &str| super::super::Mention {
            kind: EntityKind::Org,
            text: text.into(),
            canonical: canonical.into(),
            start: 0,
            end: 0,
        };
        let got = links_of(&[
            mention("MMB", "Meridian Monetary Board"),
            mention("Meridian Monetary Board", "Meridian Monetary Board"),
            mention("MMB", "Meridian Monetary Board"),
            mention("Board", "Meridian Monetary Board"),
            mention("IMF", "IMF"),
            mention("MPX", "Meridian MPX"),
            // Named after the acronym, with matching initials: a product, not a spelling out.
            mention("MM", "MM Mobile"),
        ]);
        assert_eq!(got, vec![link]);
    }

    #[test]
    fn abbreviations_plurals_and_chains() {
        let got = merged(
            EntityKind::Org,
            &[
                ("Progressive Reformers", 68),
                ("Prog Refs", 55),
                ("Prog Ref", 41),
                ("Progressive Reformer", 40),
            ],
        );
        assert_eq!(
            got,
            vec![
                m("Prog Ref", "Progressive Reformers", Reason::Abbreviation),
                m("Prog Refs", "Progressive Reformers", Reason::Abbreviation),
                m(
                    "Progressive Reformer",
                    "Progressive Reformers",
                    Reason::Plural
                ),
            ]
        );
        let got = merged(EntityKind::Place, &[("Calif.", 3), ("California", 40)]);
        assert_eq!(got, vec![m("Calif.", "California", Reason::Abbreviation)]);
    }

    #[test]
    fn generic_suffix_keeps_the_form_most_used() {
        let got = merged(
            EntityKind::Org,
            &[
                ("Greenway", 136),
                ("Greenway Party", 32),
                ("Ostrander Inc", 9),
                ("Ostrander", 2),
            ],
        );
        assert_eq!(
            got,
            vec![
                m("Greenway Party", "Greenway", Reason::GenericSuffix),
                m("Ostrander", "Ostrander Inc", Reason::GenericSuffix),
            ]
        );
    }

    #[test]
    fn case_variants_and_a_suffix_in_either_case() {
        let got = merged(
            EntityKind::Org,
            &[
                ("Greenway", 136),
                ("Greenway Party", 32),
                ("Greenway party", 2),
            ],
        );
        assert_eq!(
            got,
            vec![
                m("Greenway Party", "Greenway", Reason::GenericSuffix),
                m("Greenway party", "Greenway", Reason::Case),
            ]
        );
    }

    #[test]
    fn surnames_merge_only_into_the_one_full_name_that_holds_them() {
        let got = merged(
            EntityKind::Person,
            &[
                ("Halvard Quist", 20),
                ("Quist", 6),
                ("Edda Marrow", 10),
                ("Tomas Marrow", 3),
                ("Marrow", 4),
                ("Halvard", 5),
            ],
        );
        // "Marrow" has two full names; "Halvard" is a given name.
        assert_eq!(got, vec![m("Quist", "Halvard Quist", Reason::ShortForm)]);
    }

    #[test]
    fn too_little_evidence_and_places_stay_apart() {
        // The long name is in one article only.
        assert!(
            merged_with(
                EntityKind::Org,
                &[("Meridian Monetary Board", 1), ("MMB", 9)],
                &[("MMB", "Meridian Monetary Board", 1)],
            )
            .is_empty()
        );
        // A place inside a longer place is another place.
        assert!(merged(EntityKind::Place, &[("York", 9), ("New York", 40)]).is_empty());
    }

    #[test]
    fn a_rule_about_either_name_wins() {
        let mut all = BTreeMap::new();
        all.insert(
            EntityKind::Org,
            names(&[("Meridian Monetary Board", 12), ("MMB", 30)]),
        );
        let links = [LinkCount {
            link: Link {
                kind: EntityKind::Org,
                short: "MMB".into(),
                long: "Meridian Monetary Board".into(),
            },
            articles: 2,
        }];
        let merges = find(None, &all, &links);
        let none = EntityRules::default();
        assert_eq!(
            merges.under(&none).aliased(EntityKind::Org, "MMB"),
            "Meridian Monetary Board"
        );
        let mut rules = EntityRules::default();
        rules.add_keep("MMB", None).unwrap();
        assert_eq!(merges.under(&rules).aliased(EntityKind::Org, "MMB"), "MMB");
        let mut rules = EntityRules::default();
        rules
            .add_block("Meridian Monetary Board", Some(EntityKind::Org))
            .unwrap();
        assert_eq!(merges.under(&rules).aliased(EntityKind::Org, "MMB"), "MMB");
    }

    fn kinds(list: &[(EntityKind, &str, u64)]) -> NamesByKind {
        let mut all: NamesByKind = BTreeMap::new();
        for &(kind, name, articles) in list {
            all.entry(kind).or_default().push(NameCount {
                name: name.to_string(),
                articles,
            });
        }
        all
    }

    fn moved(list: &[(EntityKind, &str, u64)]) -> Vec<(String, EntityKind)> {
        kind_moves(super::super::model::embedded(), &kinds(list))
            .into_iter()
            .map(|m| {
                assert_eq!(
                    (m.reason, &m.from, m.kind),
                    (Reason::Kind, &m.to, EntityKind::Person)
                );
                (m.from, m.to_kind.unwrap())
            })
            .collect()
    }

    #[test]
    fn a_person_that_a_good_share_of_articles_file_as_a_club_is_the_club() {
        use EntityKind::*;
        let got = moved(&[
            (Person, "Harwick", 30),
            (Org, "Harwick", 12),
            (Place, "Harwick", 2),
            (Person, "Dana Orme", 9),
        ]);
        assert_eq!(got, vec![("Harwick".to_string(), Org)]);
    }

    #[test]
    fn a_person_named_in_full_somewhere_in_the_archive_stays_a_person() {
        use EntityKind::*;
        // "Orme" is part of "Dana Orme": the archive introduces the person.
        assert!(
            moved(&[
                (Person, "Orme", 20),
                (Org, "Orme", 20),
                (Person, "Dana Orme", 3)
            ])
            .is_empty()
        );
        // The same holds for a longer name inside a longer one.
        assert!(
            moved(&[
                (Person, "Dana Orme", 20),
                (Org, "Dana Orme", 20),
                (Person, "Dana Orme Castell", 1)
            ])
            .is_empty()
        );
    }

    #[test]
    fn a_few_articles_or_a_small_share_of_another_kind_are_slips() {
        use EntityKind::*;
        // Two articles of another kind are not enough, whatever the share.
        assert!(moved(&[(Person, "Voss", 3), (Org, "Voss", 2)]).is_empty());
        // Under a quarter of the articles is not enough, however many.
        assert!(moved(&[(Person, "Voss", 40), (Org, "Voss", 12)]).is_empty());
        // A quarter is.
        assert_eq!(moved(&[(Person, "Voss", 36), (Org, "Voss", 12)]).len(), 1);
    }

    #[test]
    fn a_kind_move_is_a_retype_under_the_rules_and_a_rule_on_either_name_wins() {
        use EntityKind::*;
        let merges = EntityMerges {
            merges: kind_moves(
                super::super::model::embedded(),
                &kinds(&[(Person, "Harwick", 30), (Org, "Harwick", 12)]),
            ),
        };
        let rules = merges.under(&EntityRules::default());
        assert_eq!(
            rules.retype,
            vec![Retype {
                name: "Harwick".into(),
                to: Org,
                from: Some(Person)
            }]
        );
        assert!(rules.alias.is_empty());
        let mut keep = EntityRules::default();
        keep.keep.push(super::super::rules::Keep {
            name: "Harwick".into(),
            kind: Some(Org),
        });
        assert_eq!(merges.in_force(&keep).count(), 0);
    }

    #[test]
    fn a_longer_name_moves_only_when_it_is_not_shaped_like_a_persons() {
        use EntityKind::*;
        // A club the tagger took for a person in some articles.
        let got = moved(&[(Person, "Velmore Sharks", 4), (Org, "Velmore Sharks", 9)]);
        assert_eq!(got, vec![("Velmore Sharks".to_string(), Org)]);
        // Initials, given names and surnames say person, whatever the other articles say.
        for name in ["J Marrow", "Alice Wendle", "Brisk Thompson"] {
            assert!(
                moved(&[(Person, name, 4), (Org, name, 9)]).is_empty(),
                "{name}"
            );
        }
    }
}
