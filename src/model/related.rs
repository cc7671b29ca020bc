//! Related coverage as both engines find it: the same constants, so the article view lists the
//! same kind of neighbours whichever engine answers.
/// Shared entities count for more than shared words: a name in common is a strong sign of one story.
pub const ENTITY_BOOST: f32 = 2.0;
/// Hits scoring under this share of the best one share little more than a common word with the
/// article; listing them as related coverage would mislead.
pub const RELATIVE_FLOOR: f32 = 0.2;
/// Most distinctive terms taken from the article.
pub const MAX_QUERY_TERMS: usize = 30;
/// Function words the stemmed analyzer keeps; as query terms they would match everything.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has",
    "have", "he", "her", "his", "i", "in", "is", "it", "its", "not", "of", "on", "or", "s", "said",
    "she", "that", "the", "their", "there", "they", "this", "to", "wa", "was", "we", "were",
    "which", "who", "will", "with", "would", "year", "also", "more", "new", "one", "after",
    "about", "than", "them", "all", "up", "out", "can", "what", "so", "if", "into",
];
