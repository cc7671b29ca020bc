//! The words around a quote, with character offsets: the attribution rules read a clause as a
//! list of lower-cased words and match them against the speech verbs and role nouns below.
use std::borrow::Cow;
use std::sync::LazyLock;

use rustc_hash::FxHashSet;

/// One word of a clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub lower: String,
    pub start: usize,
    pub end: usize,
}

/// Where the paragraph (the line) holding `k` starts: after the newline before it.
pub fn paragraph_start(chars: &[char], k: usize) -> usize {
    chars[..k.min(chars.len())]
        .iter()
        .rposition(|&c| c == '\n')
        .map_or(0, |p| p + 1)
}

/// Where the paragraph (the line) holding `k` ends: its newline, or the text's end.
pub fn paragraph_end(chars: &[char], k: usize) -> usize {
    let k = k.min(chars.len());
    chars[k..]
        .iter()
        .position(|&c| c == '\n')
        .map_or(chars.len(), |p| k + p)
}

/// The words of `chars[from..to]`: runs of letters and digits, keeping inner apostrophes,
/// hyphens and the dot of an abbreviation ("Mr.", "U.S.") inside the word.
pub fn words(chars: &[char], from: usize, to: usize) -> Vec<Word> {
    word_iter(chars, from, to).collect()
}

/// [`words`] one at a time, for readers that stop after the first few words of a long stretch.
pub fn word_iter(chars: &[char], from: usize, to: usize) -> impl Iterator<Item = Word> + '_ {
    let mut i = from;
    std::iter::from_fn(move || {
        while i < to && !chars[i].is_alphanumeric() {
            i += 1;
        }
        if i >= to {
            return None;
        }
        let start = i;
        while i < to
            && (chars[i].is_alphanumeric()
                || (matches!(chars[i], '\'' | '’' | '-' | '.')
                    && i + 1 < to
                    && chars[i + 1].is_alphanumeric()))
        {
            i += 1;
        }
        Some(Word {
            lower: lower_of(&chars[start..i]),
            start,
            end: i,
        })
    })
}

/// The words of a whole text, found once: the rules read hundreds of overlapping clauses of
/// one text, and splitting and lower-casing each clause anew was a fifth of their time.
pub struct Table<'c> {
    chars: &'c [char],
    words: Vec<Word>,
}

impl<'c> Table<'c> {
    pub fn new(chars: &'c [char]) -> Self {
        Table {
            chars,
            words: words(chars, 0, chars.len()),
        }
    }

    /// Exactly [`words`] of `chars[from..to]`. A stretch that cuts no word of the text holds
    /// the text's own words between its ends, so those are lent; a stretch cutting a word
    /// (`m.start - 30`) is split afresh, since a cut word's lower case is not always a slice
    /// of the whole word's (a final sigma).
    pub fn words(&self, from: usize, to: usize) -> Cow<'_, [Word]> {
        match self.uncut(from, to) {
            Some(range) => Cow::Borrowed(&self.words[range]),
            None => Cow::Owned(words(self.chars, from, to)),
        }
    }

    /// [`word_iter`] through the table: for readers that stop early in a long stretch.
    pub fn iter(&self, from: usize, to: usize) -> impl Iterator<Item = Cow<'_, Word>> + '_ {
        let (lent, fresh) = match self.uncut(from, to) {
            Some(range) => (self.words[range].iter(), None),
            None => ([].iter(), Some(word_iter(self.chars, from, to))),
        };
        lent.map(Cow::Borrowed)
            .chain(fresh.into_iter().flatten().map(Cow::Owned))
    }

    /// Exactly the last of [`words`] of `chars[from..to]`, for readers of the word before a
    /// name: such a stretch (`m.start - 20`) usually cuts a word at its start, which is no
    /// reason to split the whole stretch again.
    pub fn last(&self, from: usize, to: usize) -> Option<Cow<'_, Word>> {
        if to > self.chars.len() || from >= to {
            return words(self.chars, from, to).pop().map(Cow::Owned);
        }
        let b = self.words.partition_point(|w| w.end <= to);
        let cut_at_end = self.words.get(b).is_some_and(|w| w.start < to);
        match b.checked_sub(1).map(|k| &self.words[k]) {
            _ if cut_at_end => words(self.chars, from, to).pop().map(Cow::Owned),
            Some(w) if w.start >= from => Some(Cow::Borrowed(w)),
            Some(w) if w.end > from => words(self.chars, from, w.end).pop().map(Cow::Owned),
            _ => None,
        }
    }

    /// The table's words inside `from..to` when no word of the text straddles either end.
    fn uncut(&self, from: usize, to: usize) -> Option<std::ops::Range<usize>> {
        if to > self.chars.len() {
            return None;
        }
        if from >= to {
            return Some(0..0);
        }
        let a = self.words.partition_point(|w| w.end <= from);
        let b = self.words.partition_point(|w| w.end <= to);
        let cuts = |k: usize, at: usize| self.words.get(k).is_some_and(|w| w.start < at);
        (!cuts(a, from) && !cuts(b, to)).then_some(a..b)
    }
}

/// The lower case of a run of characters, as `str::to_lowercase` gives it; ASCII (most words)
/// without building the word twice.
fn lower_of(run: &[char]) -> String {
    if run.iter().all(char::is_ascii) {
        run.iter().map(|c| c.to_ascii_lowercase()).collect()
    } else {
        run.iter().collect::<String>().to_lowercase()
    }
}

/// Verbs that introduce or close a direct quote.
pub fn is_speech_verb(w: &str) -> bool {
    // Asked of most words of every clause: a hashed set, not a scan of the list.
    static SET: LazyLock<FxHashSet<&str>> = LazyLock::new(|| VERBS.iter().copied().collect());
    SET.contains(w)
}

const VERBS: &[&str] = &[
    "say",
    "says",
    "said",
    "saying",
    "tell",
    "tells",
    "told",
    "telling",
    "add",
    "adds",
    "added",
    "adding",
    "ask",
    "asks",
    "asked",
    "explain",
    "explains",
    "explained",
    "insist",
    "insists",
    "insisted",
    "warn",
    "warns",
    "warned",
    "argue",
    "argues",
    "argued",
    "claim",
    "claims",
    "claimed",
    "state",
    "states",
    "stated",
    "write",
    "writes",
    "wrote",
    "written",
    "declare",
    "declares",
    "declared",
    "continue",
    "continues",
    "continued",
    "reply",
    "replies",
    "replied",
    "note",
    "notes",
    "noted",
    "admit",
    "admits",
    "admitted",
    "acknowledge",
    "acknowledges",
    "acknowledged",
    "announce",
    "announces",
    "announced",
    "comment",
    "comments",
    "commented",
    "remark",
    "remarks",
    "remarked",
    "stress",
    "stresses",
    "stressed",
    "urge",
    "urges",
    "urged",
    "suggest",
    "suggests",
    "suggested",
    "maintain",
    "maintains",
    "maintained",
    "concede",
    "concedes",
    "conceded",
    "complain",
    "complains",
    "complained",
    "respond",
    "responds",
    "responded",
    "recall",
    "recalls",
    "recalled",
    "observe",
    "observes",
    "observed",
    "reports",
    "reported",
    "tweet",
    "tweets",
    "tweeted",
    "post",
    "posts",
    "posted",
    "joke",
    "jokes",
    "joked",
    "predict",
    "predicts",
    "predicted",
    "describe",
    "describes",
    "described",
    "call",
    "calls",
    "called",
    "insisting",
    "warning",
    "arguing",
    "claiming",
    "explaining",
    "noting",
    "declaring",
    "asking",
    "vowed",
    "vows",
    "pledged",
    "pledges",
    "boasted",
    "confirmed",
    "confirms",
    "revealed",
    "reveals",
    "shouted",
    "yelled",
    "cried",
    "exclaimed",
    "whispered",
    "testified",
    "testifies",
    "assured",
    "assures",
    "cautioned",
    "cautions",
    "mused",
    "quipped",
    "wondered",
    "answered",
    "answers",
    "demanded",
    "demands",
    "reiterated",
    "emphasised",
    "emphasized",
    "emphasises",
    "emphasizes",
    "accused",
    "accuses",
    "labelled",
    "labeled",
    "branded",
    "brands",
    "hailed",
    "hails",
    "criticised",
    "criticized",
    "dismissed",
    "termed",
    // Round 4: verbs of speaking and of characterising that news writing puts before mixed
    // quotes or after whole ones (`calling it a "crisis"`, `"...," Kern charged`).
    "charged",
    "recounted",
    "recounts",
    "interjected",
    "countered",
    "counters",
    "calling",
    "describing",
    "labeling",
    "labelling",
    "accusing",
    "derided",
    "deriding",
    "blamed",
    "blames",
    "lamented",
    "laments",
    "promised",
    "promising",
    "vowing",
    "urging",
    "expressed",
    "requested",
    "cited",
    "citing",
    "referred",
    "referring",
    "reaffirmed",
    "complaining",
    "alleged",
    "alleges",
    "alleging",
    "asserted",
    "asserts",
    "pointed",
    // Round 5: verbs of concluding, contending and ordering that news writing uses for
    // speech and writing alike (`the survey concluded that "..."`, `he ordered, "..."`).
    "concluded",
    "concludes",
    "contended",
    "contends",
    "ordered",
    "threatened",
    "reporting",
    "tweeting",
    // Round 10: the participles of verbs above that open a mixed quote after a document
    // or a comma (`released a memo announcing that "..."`).
    "announcing",
    "stating",
    "writing",
    "suggesting",
    "stressing",
    "acknowledging",
    "admitting",
    "recalling",
    "predicting",
    "threatening",
    "emphasising",
    "emphasizing",
    // Round 11: verbs of saying with a manner (`"…," Bratton fumed`, `"…," he gloats`) and
    // of estimating and advising that give a body's words (`"…," Gallup estimates`, `the
    // agency advised "…"`), and the present of `labelled` (`labels that "…"`).
    "fumed",
    "fumes",
    "gloated",
    "gloats",
    "scoffed",
    "snapped",
    "bragged",
    "brags",
    "boasts",
    "mocked",
    "estimates",
    "estimated",
    "advised",
    "advises",
    "labels",
    // Round 14: a second speaker taking up the first's point (`"…," echoed Sen. Ada Kern`).
    "echoed",
    "echoes",
];

/// Words that name a work or a nickname when they come right before a quote ("a film called
/// "Night Harbour"", "dubbed "the Hammer"").
pub fn is_naming_word(w: &str) -> bool {
    matches!(
        w,
        "titled" | "entitled" | "named" | "dubbed" | "nicknamed" | "so-called" | "as" | "called"
    )
}

/// Pronouns that point back to a person (he, she) or to an organisation (it).
pub fn pronoun_kind(w: &str) -> Option<PronounKind> {
    match w {
        "he" => Some(PronounKind::He),
        "she" => Some(PronounKind::She),
        "it" => Some(PronounKind::It),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PronounKind {
    He,
    She,
    It,
}

/// Auxiliaries that make the verb after them passive ("was told", "were asked"): the subject
/// is the listener, not a speaker.
pub fn is_passive_auxiliary(w: &str) -> bool {
    matches!(w, "was" | "were" | "is" | "are" | "been" | "be" | "being")
}

/// A speech verb used in another sense, told by the word after it: "continues to be",
/// "called for", "asked for", "noted for", "stated goals" is no speaking.
pub fn other_sense(verb: &str, next: Option<&str>) -> bool {
    let Some(next) = next else {
        return false;
    };
    let stem = verb.trim_end_matches(['s', 'd', 'e']);
    match stem {
        "continu" => matches!(next, "to" | "with" | "in" | "on" | "as" | "at" | "for"),
        "call" | "ask" | "not" => matches!(next, "for" | "off"),
        "post" => matches!(next, "a" | "an" | "its" | "their" | "losses" | "profits"),
        // "pointed out that" reports speech; "pointed to", "pointed at" do not.
        "point" => next != "out",
        // "referred to the court" is no characterising: only "referred to X as".
        "referr" | "referring" => next != "to",
        _ => false,
    }
}

/// Role nouns that stand for a person named earlier with that role.
pub fn is_person_role(w: &str) -> bool {
    matches!(
        w,
        "minister"
            | "president"
            | "chancellor"
            | "secretary"
            | "premier"
            | "senator"
            | "governor"
            | "mayor"
            | "chairman"
            | "chairwoman"
            | "chair"
            | "chief"
            | "executive"
            | "ceo"
            | "head"
            | "editor"
            | "host"
            | "correspondent"
            | "director"
            | "manager"
            | "coach"
            | "boss"
            | "leader"
            | "spokesman"
            | "spokeswoman"
            | "spokesperson"
            | "judge"
            | "prosecutor"
            | "lawyer"
            | "attorney"
            | "official"
            | "economist"
            | "analyst"
            | "founder"
            | "captain"
            | "star"
            | "singer"
            | "actor"
            | "actress"
            | "director-general"
            | "commissioner"
            | "ambassador"
            | "candidate"
            | "congressman"
            | "congresswoman"
            | "representative"
            | "lawmaker"
            | "mp"
            | "player"
            | "striker"
            | "midfielder"
            | "defender"
            | "winger"
            | "champion"
            | "veteran"
            | "author"
            | "professor"
            | "researcher"
            | "scientist"
            | "doctor"
            | "king"
            | "queen"
            | "prince"
            | "pope"
            | "spokesmen"
    )
}

/// Nouns that stand for an organisation named earlier ("the company said").
pub fn is_org_role(w: &str) -> bool {
    matches!(
        w,
        "company"
            | "firm"
            | "group"
            | "council"
            | "government"
            | "ministry"
            | "department"
            | "bank"
            | "club"
            | "party"
            | "agency"
            | "organisation"
            | "organization"
            | "union"
            | "committee"
            | "commission"
            | "board"
            | "retailer"
            | "carrier"
            | "airline"
            | "network"
            | "broadcaster"
            | "studio"
            | "league"
            | "association"
            | "federation"
            | "campaign"
            | "charity"
            | "court"
            | "regulator"
            | "watchdog"
            | "administration"
            | "police"
            | "army"
            | "military"
            | "team"
            | "body"
            | "maker"
            | "giant"
    ) || is_kind_of_body(w)
        || is_media_noun(w)
}

/// Nouns by which news text takes up a publication or broadcaster it named (`"…," the outlet
/// reported`, `the newspaper said`, round 15).
pub fn is_media_noun(w: &str) -> bool {
    matches!(
        w,
        "outlet" | "newspaper" | "magazine" | "publication" | "tabloid" | "broadsheet"
    )
}

/// Bodies named by their kind (`the university said`, round 10): such a noun only ever stands
/// for a body whose name holds it (an institution's noun in `attribute::is_institution`).
pub fn is_kind_of_body(w: &str) -> bool {
    matches!(
        w,
        "university" | "college" | "school" | "institute" | "foundation" | "hospital"
    )
}

/// Spokes-words: "a spokesman for the council said" speaks for the organisation after it.
pub fn is_spokes_word(w: &str) -> bool {
    matches!(
        w,
        "spokesman"
            | "spokeswoman"
            | "spokesperson"
            | "spokesmen"
            | "spokeswomen"
            | "representative"
            | "official"
            | "statement"
            | "analysts"
            | "economists"
            | "officials"
            | "executives"
            | "researchers"
    )
}

/// Prepositions before a name that make it an object, not the subject ("speaking to the BBC").
pub fn is_preposition(w: &str) -> bool {
    matches!(
        w,
        "to" | "for"
            | "of"
            | "at"
            | "with"
            | "in"
            | "from"
            | "by"
            | "on"
            | "about"
            | "against"
            | "over"
            | "into"
            | "like"
            | "than"
            | "after"
            | "before"
    )
}

/// Nouns for a person the text does not name ("one resident said", "a witness told"): no
/// entity, but someone a later "he" or "she" may stand for.
pub fn is_person_noun(w: &str) -> bool {
    matches!(
        w,
        "resident"
            | "woman"
            | "man"
            | "girl"
            | "boy"
            | "neighbour"
            | "neighbor"
            | "witness"
            | "voter"
            | "worker"
            | "employee"
            | "student"
            | "parent"
            | "mother"
            | "father"
            | "friend"
            | "source"
            | "member"
            | "fan"
            | "customer"
            | "passenger"
            | "teacher"
            | "nurse"
            | "officer"
            | "aide"
            | "staffer"
            | "volunteer"
            | "shopper"
            | "owner"
            | "victim"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words' lower case is `str::to_lowercase` of the word as written, on the ASCII path
    /// and off it (a final sigma, a dotted capital I, a ligature), and reading words one at a
    /// time gives the list.
    #[test]
    fn lower_case_is_the_strings_own() {
        let text = "Mr. O'Neil-Smith SAID: ΟΔΟΣ İstanbul ﬁnance U.S. 2024's x-";
        let chars: Vec<char> = text.chars().collect();
        let ws = words(&chars, 0, chars.len());
        assert_eq!(ws.len(), 9, "{ws:?}");
        for w in &ws {
            let written: String = chars[w.start..w.end].iter().collect();
            assert_eq!(w.lower, written.to_lowercase(), "{written}");
        }
        assert_eq!(ws[3].lower, "οδος", "final sigma");
        assert_eq!(word_iter(&chars, 0, chars.len()).collect::<Vec<_>>(), ws);
        assert_eq!(
            word_iter(&chars, 4, 12).next().map(|w| w.lower),
            Some("o'neil-s".into())
        );
    }

    /// The table answers every stretch of a text as splitting that stretch alone does, the
    /// stretches that cut a word (inside one, on an apostrophe, on an abbreviation's dot, on a
    /// final sigma) included, and reads them one at a time alike.
    #[test]
    fn table_gives_every_stretch_its_own_words() {
        let text = "Mr. O'Neil-Smith SAID: ΟΔΟΣΑ ΟΔΟΣ. U.S.-led x- 2024's \"quote,\" he said";
        let chars: Vec<char> = text.chars().collect();
        let table = Table::new(&chars);
        let mut lent = 0;
        for from in 0..=chars.len() {
            for to in 0..=chars.len() {
                let fresh = words(&chars, from, to);
                let got = table.words(from, to);
                lent += usize::from(matches!(got, Cow::Borrowed(_)) && !fresh.is_empty());
                assert_eq!(got.as_ref(), fresh.as_slice(), "{from}..{to}");
                let one_by_one: Vec<Word> = table.iter(from, to).map(Cow::into_owned).collect();
                assert_eq!(one_by_one, fresh, "{from}..{to}");
                let last = table.last(from, to).map(Cow::into_owned);
                assert_eq!(last.as_ref(), fresh.last(), "{from}..{to}");
            }
        }
        assert!(lent > 100, "the table lent words only {lent} times");
    }
}
