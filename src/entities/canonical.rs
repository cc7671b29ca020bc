//! From tagged tokens to the mentions and names a newsroom would list: a person's titles and
//! possessives are cut off, junk (lone titles, weekdays) is dropped, and each mention gets the
//! canonical name of its entity within the article: for a person, the fullest mention that
//! contains it ("Nasrallah" -> "Hassan Nasrallah"); for an organisation, its full name for its
//! acronym, or a longer name of the same body (a generic ending added, or the word its head:
//! "Labour Party", "New York Times"), never another body that contains it ("Senate Judiciary
//! Committee"); for a place, the gazetteer's common name for an alias ("U.S." -> "United
//! States"). A sentence's capitalised first word or a title before a name that is not a
//! person's stays in the name unless the article shows the name without it ("General Motors",
//! but "Eminem" after "Rapper Eminem").
//! Mentions on table rows and sign-off lines (`layout`) and in credit lines (`furniture`) are
//! dropped; a dateline's place is one place mention. A lone generic word, one usually written
//! in lower case ("Bank", "Commission"), takes the longer name of the same kind that it heads in
//! the article ("the Bank" after "the Bank of Japan"), and is dropped when there is none unless
//! the tagger was confident of it.

use std::sync::LazyLock;

// Fx hashing: these maps are keyed by short names and live for one article; SipHash showed in
// the indexing profile. Nothing here depends on a map's order.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::lexicon::alias_key;
use super::model::Model;
use super::tokenize::{Token, normalize};
use super::{EntityKind, Mention};

/// Words that are never a whole entity on their own, whatever the tagger says.
const JUNK: &[&str] = &[
    "despite",
    "the",
    "a",
    "an",
    "but",
    "and",
    "or",
    "however",
    "today",
    "yesterday",
    "tomorrow",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "i",
    "we",
    "he",
    "she",
    "it",
    "they",
    "you",
    "this",
    "that",
    "these",
    "those",
    "after",
    "before",
    "while",
    "as",
    "if",
    "in",
    "on",
    "at",
    "of",
    "for",
    "with",
    "by",
    "to",
    "from",
    "his",
    "her",
    "their",
    "our",
    "my",
    "there",
    "here",
    "when",
    "what",
    "who",
    "why",
    "how",
    "where",
    "said",
    "says",
    "read",
    "more",
    "photo",
    "video",
    "update",
    "breaking",
    "news",
    "associated press",
    "reuters",
    "ap",
    "afp",
];

/// Whether `w` (lower case) is in `JUNK`: asked of every word of every mention, so a hashed set
/// rather than a scan of the list.
fn is_junk(w: &str) -> bool {
    static SET: LazyLock<HashSet<&str>> = LazyLock::new(|| JUNK.iter().copied().collect());
    SET.contains(w)
}

/// How far (in emission score) the tagger's choice for a lone generic word must beat "not an
/// entity" for the word to stay a mention without a longer name to lean on. `train-ner` chooses
/// it on the cross-validated predictions of the training set and prints it.
pub const CONFIDENT_MARGIN: f32 = 16.0;

/// Words that do not count as initials of an organisation name ("Bank of England" -> "BOE" and
/// "BoE" both work without them).
const ACRONYM_SKIP: &[&str] = &["of", "the", "and", "for", "&", "de", "du", "la", "le", "in"];

fn kind_of(ty: u8) -> EntityKind {
    match ty {
        1 => EntityKind::Person,
        2 => EntityKind::Org,
        3 => EntityKind::Place,
        _ => EntityKind::Misc,
    }
}

fn is_possessive(t: &str) -> bool {
    matches!(t, "'s" | "’s" | "'" | "’" | "'S" | "’S")
}

struct Raw {
    kind: EntityKind,
    /// Token range of the mention as tagged (possessive removed).
    a: usize,
    b: usize,
    /// Token range of the name proper (titles removed).
    na: usize,
    nb: usize,
}

/// A mention before its doubtful first words are judged: `na..b` is its name with them, and
/// `cut_to`, when set, where the name starts without them (a title before a name that is not a
/// person's, or a capitalised ordinary word opening the sentence).
struct Draft {
    kind: EntityKind,
    a: usize,
    b: usize,
    na: usize,
    cut_to: Option<usize>,
}

/// Leading "the" and titles ("the Prime Minister"), longest title first: where the name starts
/// after "the" alone, and after the titles too.
/// `buf` is scratch space for the keys tried.
fn leading_titles(
    model: &Model,
    lower: &[String],
    a: usize,
    b: usize,
    buf: &mut String,
) -> (usize, usize) {
    let plain = if a + 1 < b && lower[a] == "the" {
        a + 1
    } else {
        a
    };
    let mut na = a;
    'strip: while na < b {
        for len in (1..=3).rev() {
            if na + len < b {
                let key = joined(buf, &lower[na..na + len]);
                if model.titles.contains(key) || key == "the" {
                    na += len;
                    continue 'strip;
                }
            }
        }
        break;
    }
    (plain, na.max(plain))
}

/// `words` joined by single spaces, written into `buf` (asked once per title tried: a buffer
/// kept for the article instead of a string each time).
fn joined<'b>(buf: &'b mut String, words: &[String]) -> &'b str {
    buf.clear();
    for (k, w) in words.iter().enumerate() {
        if k > 0 {
            buf.push(' ');
        }
        buf.push_str(w);
    }
    buf
}

/// Cut each draft's doubtful first words where the article shows they are not part of the
/// name. A word of the junk list never is ("But Labour"), nor an ordinary word before a
/// person's first name ("Rapper Maria Ward"). Otherwise the article decides: the
/// name without them stands alone elsewhere ("Eminem" after "Rapper Eminem") or ends a
/// person's name ("Mr Jobs" after "Steve Jobs"), while the whole
/// name is found nowhere else and no gazetteer lists it ("New Zealand"). Without that evidence
/// the tagger's span stands: names open with ordinary words and titles ("White House", "Real
/// Madrid", "General Motors"), and the tagger, trained on sentences that open with names,
/// knows many of them.
fn prefixes_cut(model: &Model, lower: &[String], drafts: &mut [Draft]) {
    let name = |from: usize, to: usize| lower[from..to].join(" ");
    let mut standing: HashSet<String> = HashSet::default();
    for d in drafts.iter().filter(|d| d.cut_to.is_none()) {
        standing.insert(name(d.na, d.b));
        // A person's surname stands for the person ("Mr Jobs" after "Steve Jobs").
        if d.kind == EntityKind::Person {
            standing.extend((d.na + 1..d.b).map(|k| name(k, d.b)));
        }
    }
    for d in drafts.iter_mut() {
        let Some(to) = d.cut_to else { continue };
        let whole = name(d.na, d.b);
        let opener = to == d.na + 1;
        // Before a person's first name, an ordinary word is a description ("Rapper Maria Ward").
        let described = opener
            && d.kind == EntityKind::Person
            && model.lexicon.gazetteer(&lower[to]) & super::lexicon::G_FIRST_NAME != 0;
        let cut = (opener && is_junk(&lower[d.na]))
            || described
            || (standing.contains(&name(to, d.b))
                && !standing.contains(&whole)
                && model.lexicon.gazetteer(&whole) == 0);
        if cut {
            d.na = to;
        }
    }
}

/// Build mentions with canonical names from tokens and their entity spans `(start, end, type)`;
/// `furniture` is `furniture::find` of the same text and tokens.
pub fn mentions(
    model: &Model,
    text: &str,
    tokens: &[Token],
    sentences: &[std::ops::Range<usize>],
    spans: &[(usize, usize, u8)],
    margins: &[f32],
    furniture: &super::furniture::Furniture,
) -> Vec<Mention> {
    let words: Vec<&str> = tokens.iter().map(|t| t.text(text)).collect();
    let spans = &with_places_of_filing(
        super::spans::whole_names(model, &words, sentences, spans),
        &furniture.places,
    );
    let mut off_prose = super::layout::excluded(model, text, tokens);
    for r in furniture.excluded.iter().chain(&furniture.authors) {
        off_prose[r.clone()].iter_mut().for_each(|x| *x = true);
    }
    let mut sentence_start = vec![false; tokens.len()];
    for s in sentences {
        if s.start < tokens.len() {
            sentence_start[s.start] = true;
        }
    }
    // Comparison keys only for tokens inside entity spans; the rest of the text is never compared.
    let mut lower: Vec<String> = vec![String::new(); tokens.len()];
    for &(a, b, _) in spans {
        for (key, t) in lower[a..b].iter_mut().zip(&tokens[a..b]) {
            *key = alias_key(&normalize(t.text(text)));
        }
    }
    let mut drafts: Vec<Draft> = Vec::new();
    // Scratch space for the phrases looked up in the title and junk lists.
    let mut key = String::new();
    for &(a, mut b, ty) in spans {
        if off_prose[a..b].iter().any(|&x| x) {
            continue;
        }
        while b > a && is_possessive(tokens[b - 1].text(text)) {
            b -= 1;
        }
        let kind = kind_of(ty);
        let (na, titled) = leading_titles(model, &lower, a, b, &mut key);
        // A person's title is never part of the name. Another kind's may be ("General
        // Motors"), and so may a capitalised ordinary word opening the sentence ("Apparently
        // Trump said" against "White House aides said"): `prefixes_cut` decides both. A name
        // closed by a legal form keeps its first word ("Ardent Foods Co").
        let legal = super::spans::is_legal_form(model, tokens[b - 1].text(text));
        let opens =
            |i: usize| i + 1 < b && sentence_start[i] && is_common_word(model, &lower[i]) && !legal;
        let (na, cut_to) = match kind {
            EntityKind::Person => (titled, opens(titled).then_some(titled + 1)),
            _ if titled > na => (na, Some(titled)),
            _ => (na, opens(na).then_some(na + 1)),
        };
        drafts.push(Draft {
            kind,
            a,
            b,
            na,
            cut_to,
        });
    }
    prefixes_cut(model, &lower, &mut drafts);
    let mut raws: Vec<Raw> = Vec::new();
    for d in drafts {
        let (a, b, na, ty) = (d.a, d.b, d.na, d.kind);
        let nb = b;
        if na >= nb {
            continue;
        }
        let words = &lower[na..nb];
        let has_alpha = words.iter().any(|w| w.chars().any(|c| c.is_alphabetic()));
        let has_upper = (na..nb).any(|i| tokens[i].text(text).chars().any(|c| c.is_uppercase()));
        let all_junk = words.iter().all(|w| is_junk(w) || model.titles.contains(w));
        let whole_junk = is_junk(joined(&mut key, words));
        if !has_alpha || !has_upper || all_junk || whole_junk {
            continue;
        }
        if nb - na == 1 && words[0].chars().count() < 2 {
            continue;
        }
        // Photo credits ("Charles Dharapak/AP"), web addresses and party-state tags ("D-Texas").
        let first = tokens[na].text(text);
        let credit_or_tag = (na..nb).any(|i| {
            let t = tokens[i].text(text);
            t.contains('/') || t.contains('@') || t.starts_with("http")
        }) || (matches!(first.get(..2), Some("D-" | "R-" | "I-"))
            && first
                .get(2..)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_uppercase())));
        if credit_or_tag {
            continue;
        }
        raws.push(Raw {
            kind: ty,
            a,
            b,
            na,
            nb,
        });
    }
    let surface = |a: usize, b: usize| -> String {
        let s = &text[tokens[a].start..tokens[b - 1].end];
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let all_caps = |a: usize, b: usize| {
        !(a..b).any(|i| tokens[i].text(text).chars().any(|c| c.is_lowercase()))
    };
    // Canonical target of each mention: index of the fullest mention it belongs to.
    let n = raws.len();
    // A lone generic word: one usually written in lower case ("Bank", "Commission").
    let generic: Vec<bool> = raws
        .iter()
        .map(|r| r.nb - r.na == 1 && is_generic_word(model, tokens[r.na].text(text)))
        .collect();
    let mut target: Vec<usize> = (0..n).collect();
    let rank = |k: usize| {
        let r = &raws[k];
        (r.nb - r.na, !all_caps(r.na, r.nb), std::cmp::Reverse(k))
    };
    // Candidate fuller names are looked up through an index of distinct names by word and by
    // initials, so a very long text does not cost mentions x mentions comparisons.
    let mut first_of: HashMap<(EntityKind, String), usize> = HashMap::default();
    let mut by_word: HashMap<&str, Vec<usize>> = HashMap::default();
    let mut by_initials: HashMap<String, Vec<usize>> = HashMap::default();
    for (j, rj) in raws.iter().enumerate() {
        let key = (rj.kind, lower[rj.na..rj.nb].join(" "));
        if first_of.contains_key(&key) {
            continue;
        }
        first_of.insert(key, j);
        let words = &lower[rj.na..rj.nb];
        for (k, w) in words.iter().enumerate() {
            if !words[..k].contains(w) {
                by_word.entry(w.as_str()).or_default().push(j);
            }
        }
        if rj.kind == EntityKind::Org && words.len() > 1 {
            for initials in initials_of(words) {
                by_initials.entry(initials).or_default().push(j);
            }
        }
    }
    // Names of people and organisations, to tell a longer name from several glued together.
    let bodies: HashSet<&str> = first_of
        .keys()
        .filter(|(kind, _)| matches!(kind, EntityKind::Person | EntityKind::Org))
        .map(|(_, name)| name.as_str())
        .collect();
    let mut memo: HashMap<(EntityKind, String), usize> = HashMap::default();
    for i in 0..n {
        let ri = &raws[i];
        let short = &lower[ri.na..ri.nb];
        let memo_key = (ri.kind, short.join(" "));
        if let Some(&t) = memo.get(&memo_key) {
            target[i] = t;
            continue;
        }
        let mut best = first_of[&memo_key];
        let letters = acronym_letters(tokens[ri.na].text(text));
        let by_acronym = if ri.kind == EntityKind::Org && short.len() == 1 {
            letters.as_ref().and_then(|l| by_initials.get(l))
        } else {
            None
        };
        let candidates = by_word
            .get(short[0].as_str())
            .into_iter()
            .flatten()
            .chain(by_acronym.into_iter().flatten());
        for &j in candidates {
            let rj = &raws[j];
            let long = &lower[rj.na..rj.nb];
            if long.len() < short.len() {
                continue;
            }
            let same_kind = rj.kind == ri.kind;
            // A lone word tagged ORG or MISC that is part of a person's full name is that person:
            // taggers often miss the type of a repeated surname.
            let cross = !same_kind
                && rj.kind == EntityKind::Person
                && short.len() == 1
                && long.len() > 1
                && matches!(ri.kind, EntityKind::Org | EntityKind::Misc);
            if !same_kind && !cross {
                continue;
            }
            // A lone generic word takes a longer name of the same kind only where it is that
            // name's head: its last word ("the Commission" after "the European Commission") or
            // the word before "of" ("the Bank" after "the Bank of Japan"). Elsewhere in a name
            // ("Bank" in "World Bank Group") it is too vague to merge.
            let contained = if generic[i] {
                same_kind && long.len() > 1 && is_head_word(long, &short[0])
            } else {
                long.windows(short.len()).any(|w| w == short)
            };
            // A name that holds the acronym as a word is named after it ("BT Together", a
            // product of BT), not spelt out by it.
            let acronym = ri.kind == EntityKind::Org
                && same_kind
                && short.len() == 1
                && long.len() > 1
                && !long.contains(&short[0])
                && letters
                    .as_ref()
                    .is_some_and(|l| initials_of(long).contains(l));
            let matches = match ri.kind {
                _ if generic[i] => contained,
                // Places merge only through aliases: "York" is not "New York", nor "Korea"
                // "South Korea".
                EntityKind::Misc | EntityKind::Place => long == short,
                // An organisation's name inside a longer one may be another body ("Senate" in
                // "Senate Judiciary Committee", "Google" in "Google News"). The same body is a
                // longer form that adds a generic ending ("Labour Party", "Acme Corp"), or one
                // the word heads ("the Commission" after "the European Commission"). Other
                // short forms are left to the archive-wide merges, which see whether the
                // archive uses the short form for one longer name only.
                EntityKind::Org if same_kind => {
                    acronym
                        || (contained
                            && (adds_only_ending(model, short, long)
                                || heads(tokens[ri.na].text(text), short, long, &bodies)))
                }
                _ => contained || acronym,
            };
            // `Ryan` after `Paul Ryan` and his mother `Betty Ryan Douglas`: a lone word is a
            // person's surname on second reference, so a name it ends outranks a longer one
            // that holds it as a first or middle name.
            let ends_with = |k: usize| {
                let r = &raws[k];
                r.kind == EntityKind::Person
                    && short.len() == 1
                    && r.nb - r.na > 1
                    && lower[r.nb - 1] == short[0]
            };
            if matches && (ends_with(j), rank(j)) > (ends_with(best), rank(best)) {
                best = j;
            }
        }
        memo.insert(memo_key, best);
        target[i] = best;
    }
    // A lone generic word that names nothing longer in the article is dropped unless the tagger
    // was confident of it somewhere.
    let mut confidence = vec![f32::NEG_INFINITY; n];
    for i in 0..n {
        let m = margins.get(raws[i].a).copied().unwrap_or(f32::INFINITY);
        confidence[target[i]] = confidence[target[i]].max(m);
    }
    let keep: Vec<bool> = (0..n)
        .map(|i| {
            let t = target[i];
            !(generic[t] && raws[t].nb - raws[t].na == 1 && confidence[t] < CONFIDENT_MARGIN)
        })
        .collect();
    // One kind per canonical name, so one name is not listed under two kinds: the tagger may
    // call a lone "Obama" a place once among five person mentions.
    let name_key = |t: usize| lower[raws[t].na..raws[t].nb].join(" ");
    let mut ballots: HashMap<String, KindBallot> = HashMap::default();
    for i in 0..n {
        let m = margins.get(raws[i].a).copied().unwrap_or(0.0);
        ballots
            .entry(name_key(target[i]))
            .or_default()
            .cast(raws[i].kind, raws[target[i]].kind, m);
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if !keep[i] {
            continue;
        }
        let t = target[i];
        let r = &raws[t];
        let kind = ballots[&name_key(t)].winner();
        let mut canonical = surface(r.na, r.nb);
        if kind == EntityKind::Place
            && let Some(c) = model.place_aliases.get(&alias_key(&canonical))
        {
            canonical = c.clone();
        }
        if all_caps(r.na, r.nb) && canonical.chars().count() > 4 {
            canonical = title_case_words(&canonical);
        }
        let ri = &raws[i];
        out.push(Mention {
            kind,
            text: surface(ri.a, ri.b),
            canonical,
            start: tokens[ri.a].char_start,
            end: tokens[ri.b - 1].char_end,
        });
    }
    out
}

/// The mentions of one name in an article voting for its kind. Most mentions win; a tie goes to
/// the kind of the names the mentions were resolved to (a "Bush" taken as short for a person's
/// full name speaks for the person), then to a person, organisation or place over "misc" (the
/// tagger's kind for names that are none of those: a name it files as often as one of them is
/// that one), then to the kind the tagger was surest of in any one mention (its margin over the
/// next tag), then to the kind met first, so a name split evenly ("Google" once an
/// organisation, once a place) is still listed under one kind.
#[derive(Default)]
struct KindBallot {
    votes: [usize; 4],
    resolved: [usize; 4],
    surest: [f32; 4],
    first: Option<EntityKind>,
}

impl KindBallot {
    fn cast(&mut self, kind: EntityKind, resolved: EntityKind, margin: f32) {
        let k = kind as usize;
        if self.votes[k] == 0 {
            self.surest[k] = margin;
        }
        self.votes[k] += 1;
        self.resolved[resolved as usize] += 1;
        self.surest[k] = self.surest[k].max(margin);
        self.first.get_or_insert(kind);
    }

    fn winner(&self) -> EntityKind {
        let first = self.first.map(|k| k as usize);
        let misc = EntityKind::Misc as usize;
        let best = (0..4)
            .filter(|&k| self.votes[k] > 0)
            .max_by(|&a, &b| {
                self.votes[a]
                    .cmp(&self.votes[b])
                    .then(self.resolved[a].cmp(&self.resolved[b]))
                    .then((a != misc).cmp(&(b != misc)))
                    .then(self.surest[a].total_cmp(&self.surest[b]))
                    .then((Some(a) == first).cmp(&(Some(b) == first)))
            })
            .unwrap_or(0);
        EntityKind::ALL[best]
    }
}

/// `spans` with each dateline's place as one place span, in place of whatever the tagger made
/// of its words ("NEW YORK" is never "YORK" the organisation).
fn with_places_of_filing(
    mut spans: Vec<(usize, usize, u8)>,
    places: &[std::ops::Range<usize>],
) -> Vec<(usize, usize, u8)> {
    if places.is_empty() {
        return spans;
    }
    spans.retain(|&(a, b, _)| !places.iter().any(|p| a < p.end && p.start < b));
    spans.extend(places.iter().map(|p| (p.start, p.end, 3)));
    spans.sort_unstable();
    spans
}

/// A generic word: usually written in lower case in news text ("bank", "commission"), and
/// neither a first name nor a place. On its own it names something only through a longer name.
pub fn is_generic_word(model: &Model, tok: &str) -> bool {
    super::casing::is_generic(&model.lexicon, tok)
}

/// A word seen often in lower case in news text that is neither a first name nor a place.
fn is_common_word(model: &Model, lower: &str) -> bool {
    super::casing::is_common(&model.lexicon, lower)
}

/// Is `word` the head of the multi-word name `long`: its last word, or the word before its
/// first "of"?
pub fn is_head_word(long: &[String], word: &str) -> bool {
    long.last().is_some_and(|w| w == word)
        || long
            .iter()
            .position(|w| w == "of")
            .is_some_and(|k| k > 0 && long[k - 1] == word)
}

/// Whether the one word `short` (as written: `written`) heads the organisation name `long`
/// ("Commission" in "European Commission", "Times" in "New York Times"), and `long` is one
/// name rather than other people's or bodies' names glued to it by the tagger ("CNN White
/// House", "Microsoft and Google"). An acronym stands for its own letters, not a head.
fn heads(written: &str, short: &[String], long: &[String], bodies: &HashSet<&str>) -> bool {
    let [word] = short else { return false };
    let acronym = written.chars().filter(|c| c.is_alphabetic()).count() > 1
        && !written.chars().any(|c| c.is_lowercase());
    let glued = (1..long.len()).any(|n| {
        long.windows(n)
            .any(|w| w != short && bodies.contains(w.join(" ").as_str()))
    });
    !acronym && is_head_word(long, word) && !glued
}

/// Whether the organisation name `long` is `short` followed only by generic endings: legal forms
/// and the words organisation names end with ("Party", "Group"), as the gazetteers list them.
fn adds_only_ending(model: &Model, short: &[String], long: &[String]) -> bool {
    use super::lexicon::{G_ORG_KEY, G_ORG_SUFFIX};
    long.starts_with(short)
        && long[short.len()..]
            .iter()
            .all(|w| model.lexicon.gazetteer(w) & (G_ORG_KEY | G_ORG_SUFFIX) != 0)
}

/// "BARACK OBAMA" -> "Barack Obama", for names seen only in all-caps headlines.
fn title_case_words(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(cs.flat_map(|c| c.to_lowercase()))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// The letters of a written acronym ("IMF", "BoE" -> "imf", "boe"), if it looks like one.
fn acronym_letters(short: &str) -> Option<String> {
    let letters: String = short
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(|c| c.to_lowercase())
        .collect();
    (letters.chars().count() >= 2 && short.chars().any(|c| c.is_uppercase())).then_some(letters)
}

/// Initials of a name, without and with the small words ("Bank of England" -> "be", "boe").
pub fn initials_of(words: &[String]) -> [String; 2] {
    let skip: String = words
        .iter()
        .filter(|w| !ACRONYM_SKIP.contains(&w.as_str()))
        .filter_map(|w| w.chars().next())
        .collect();
    let all: String = words.iter().filter_map(|w| w.chars().next()).collect();
    [skip, all]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_mentions_decide_a_names_kind_whatever_the_margins() {
        let mut ballot = KindBallot::default();
        ballot.cast(EntityKind::Place, EntityKind::Place, 9.0);
        ballot.cast(EntityKind::Person, EntityKind::Person, 0.5);
        ballot.cast(EntityKind::Person, EntityKind::Person, 0.4);
        assert_eq!(ballot.winner(), EntityKind::Person);
    }

    #[test]
    fn an_even_split_goes_to_the_kind_the_tagger_was_surest_of() {
        let mut ballot = KindBallot::default();
        ballot.cast(EntityKind::Place, EntityKind::Place, 1.0);
        ballot.cast(EntityKind::Org, EntityKind::Org, 3.0);
        assert_eq!(ballot.winner(), EntityKind::Org);
        let mut ballot = KindBallot::default();
        ballot.cast(EntityKind::Org, EntityKind::Org, 3.0);
        ballot.cast(EntityKind::Place, EntityKind::Place, 4.0);
        assert_eq!(ballot.winner(), EntityKind::Place);
    }

    #[test]
    fn an_even_split_at_equal_margins_goes_to_the_kind_met_first() {
        for (first, second) in [
            (EntityKind::Place, EntityKind::Org),
            (EntityKind::Org, EntityKind::Place),
        ] {
            let mut ballot = KindBallot::default();
            ballot.cast(first, first, 2.0);
            ballot.cast(second, second, 2.0);
            assert_eq!(ballot.winner(), first);
        }
    }

    #[test]
    fn an_even_split_goes_to_the_kind_the_mentions_were_resolved_to() {
        // "Bush" once as an organisation and once as a person, both resolved to the person
        // "George W Bush", and the full name once as a person and once as an organisation (the
        // tagger surest of that one): two mentions each, three of them resolved to the person.
        let mut ballot = KindBallot::default();
        ballot.cast(EntityKind::Org, EntityKind::Person, 1.0);
        ballot.cast(EntityKind::Person, EntityKind::Person, 1.0);
        ballot.cast(EntityKind::Person, EntityKind::Person, 0.5);
        ballot.cast(EntityKind::Org, EntityKind::Org, 9.0);
        assert_eq!(ballot.winner(), EntityKind::Person);
    }

    #[test]
    fn an_even_split_with_misc_goes_to_the_named_kind_whatever_the_margins() {
        // A newspaper tagged once an organisation and once "misc".
        let mut ballot = KindBallot::default();
        ballot.cast(EntityKind::Org, EntityKind::Org, 1.0);
        ballot.cast(EntityKind::Misc, EntityKind::Misc, 6.0);
        assert_eq!(ballot.winner(), EntityKind::Org);
    }
}
