//! Entity rules: the corrections a newsroom makes to what the tagger found, kept with the index.
//!
//! Three kinds of rule, each naming entities exactly as they are indexed (canonical names):
//! an alias merges one name into another ("Obama" shows as "Barack Obama"), a retype moves a name
//! to another kind, a block removes a name. They are applied when a search is answered, never
//! written into articles, so an edit takes effect at once, needs no re-parsing, and survives any
//! re-index of the articles. The rules are a plain TOML file so they can be edited by hand, kept
//! under version control and shared between archives; [`EntityRules::parse`] names the file and
//! line of any mistake.
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::EntityKind;
use crate::{Error, Result};

/// The rules file in an index folder.
pub const RULES_FILE: &str = "entity-rules.toml";

/// Longest chain of aliases followed (A -> B -> C...), so a cycle written by hand cannot loop.
const MAX_HOPS: usize = 16;

/// An entity as a facet shows it: its kind and canonical name.
pub type Entity = (EntityKind, String);

/// Every rule kept with an index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityRules {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alias: Vec<Alias>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retype: Vec<Retype>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub block: Vec<Block>,
    /// Names kept as they are indexed: no automatic merge (`merges`) is about them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<Keep>,
    /// Aliases by `from`, built on first use: with the archive-wide merges added, rules hold
    /// hundreds of aliases and every answer resolves thousands of names.
    #[serde(skip)]
    by_from: AliasIndex,
}

/// Positions in `alias` per `from` name, and the merged groups, each built on first use. Never
/// compared, and empty in every clone, so a clone that is then changed (how every edit works)
/// builds its own.
#[derive(Debug, Default)]
struct AliasIndex(
    std::sync::OnceLock<std::collections::HashMap<String, Vec<usize>>>,
    std::sync::OnceLock<Vec<Group>>,
    /// Every candidate with what it resolves to: groups, the affected names and filters all
    /// walk the candidates, and resolving each (alias chain, blocks, retypes) is most of it.
    std::sync::OnceLock<Vec<(Entity, Option<Entity>)>>,
    /// The same answers by name, for `resolve`: every name of every hit is resolved, and the
    /// blocks and retypes are lists to scan, so a served page spent a tenth of its time there.
    std::sync::OnceLock<ResolvedByName>,
    /// Positions in `retype` and in `block` per name: the automatic merges across kinds add
    /// hundreds of retypes, and resolving every candidate scanned them all, which was a third of
    /// a search from the command line (where nothing outlives one search).
    std::sync::OnceLock<Positions>,
    std::sync::OnceLock<Positions>,
);

/// Positions of rules in their list, per name the rules are about.
type Positions = std::collections::HashMap<String, Vec<usize>>;

fn positions<'a>(names: impl Iterator<Item = &'a str>) -> Positions {
    let mut map = Positions::default();
    for (i, name) in names.enumerate() {
        map.entry(name.to_string()).or_default().push(i);
    }
    map
}

/// What each rule-mentioned name resolves to, per kind it may be found as. Only ever looked up,
/// for every name of every hit a server shows: a fast hash, not a keyed one.
type ResolvedByName = rustc_hash::FxHashMap<String, Vec<(EntityKind, Option<Entity>)>>;

impl Clone for AliasIndex {
    fn clone(&self) -> Self {
        AliasIndex::default()
    }
}

impl PartialEq for AliasIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for AliasIndex {}

/// The rules with every rule-mentioned name already resolved, in a form without optional
/// fields left out (so any serde format reads it back): what an engine keeps beside its index so
/// that a one-shot process does not resolve thousands of names again. Only
/// [`EntityRules::worked`] makes one, and [`EntityRules::from_worked`] trusts it: whoever keeps
/// one must tell it from one made of other rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worked {
    alias: Vec<(String, String, Option<EntityKind>)>,
    retype: Vec<(String, EntityKind, Option<EntityKind>)>,
    block: Vec<(String, Option<EntityKind>)>,
    keep: Vec<(String, Option<EntityKind>)>,
    resolved: Vec<(Entity, Option<Entity>)>,
    /// The merged values, each with its members: grouping them anew was a fifth of a one-shot
    /// search with entity facets.
    groups: Vec<(Entity, Vec<Entity>)>,
}

/// `name` is shown as it is indexed, whatever the archive-wide merges say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keep {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EntityKind>,
}

/// `from` is shown, filtered and counted as `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    pub from: String,
    pub to: String,
    /// Only names found as this kind (all kinds when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EntityKind>,
}

/// `name` (after aliases) is of kind `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retype {
    pub name: String,
    pub to: EntityKind,
    /// Only names found as this kind (all kinds when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<EntityKind>,
}

/// `name` (as found, or as an alias makes it) is not an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EntityKind>,
}

/// How an `entity:` style query leaf must change under the rules: names of its own kind that
/// it matched but that now show as something it does not match, and indexed names that now
/// show as something it matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeafChange {
    pub exclude: Vec<String>,
    pub include: Vec<Entity>,
}

/// One merged value: what shows, and every indexed name that shows as it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub target: Entity,
    pub members: Vec<Entity>,
}

/// Which rules and merges an index keeps, as a token that changes whenever either is saved: what
/// lets a long-lived reader keep the rules it prepared until they change, instead of reading,
/// parsing and regrouping them for every search. Equal tokens mean the same saved rules; the
/// number itself means nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RulesVersion(pub u64);

/// One change to the rules, as the CLI and the API ask for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Edit {
    /// Show `from` as `to`.
    AddAlias {
        from: String,
        to: String,
        #[serde(default)]
        kind: Option<EntityKind>,
    },
    /// Show `name` (found as `kind`, or as any kind) as of kind `to`.
    Retype {
        name: String,
        to: EntityKind,
        #[serde(default)]
        kind: Option<EntityKind>,
    },
    /// Show `name` (found as `kind`, or as any kind) nowhere.
    Block {
        name: String,
        #[serde(default)]
        kind: Option<EntityKind>,
    },
    /// Keep `name` (found as `kind`, or as any kind) out of the automatic merges.
    Keep {
        name: String,
        #[serde(default)]
        kind: Option<EntityKind>,
    },
    /// Drop every rule about `name`.
    Remove {
        name: String,
        #[serde(default)]
        kind: Option<EntityKind>,
    },
}

impl Edit {
    /// The name the edit is about, as the index has it, and the kind it was narrowed to.
    pub fn subject(&self) -> (&str, Option<EntityKind>) {
        match self {
            Edit::AddAlias { from, kind, .. } => (from, *kind),
            Edit::Retype { name, kind, .. }
            | Edit::Block { name, kind }
            | Edit::Keep { name, kind }
            | Edit::Remove { name, kind } => (name, *kind),
        }
    }

    /// The same edit narrowed to one kind.
    pub fn with_kind(mut self, k: EntityKind) -> Edit {
        match &mut self {
            Edit::AddAlias { kind, .. }
            | Edit::Retype { kind, .. }
            | Edit::Block { kind, .. }
            | Edit::Keep { kind, .. }
            | Edit::Remove { kind, .. } => *kind = Some(k),
        }
        self
    }
}

const HEADER: &str = "\
# newsdex entity rules: names exactly as the index has them (see `newsdex entities rules`).
# [[alias]] from/to[/kind] merges names, [[retype]] name/to[/from] changes a kind,
# [[block]] name[/kind] removes a name, [[keep]] name[/kind] keeps it out of the automatic
# merges (`newsdex entities merges`). Kinds: person, org, place, misc.
";

fn applies(rule_kind: Option<EntityKind>, kind: EntityKind) -> bool {
    rule_kind.is_none_or(|k| k == kind)
}

impl EntityRules {
    pub fn is_empty(&self) -> bool {
        self.alias.is_empty()
            && self.retype.is_empty()
            && self.block.is_empty()
            && self.keep.is_empty()
    }

    /// These rules with every rule-mentioned name resolved (resolving them now if no answer
    /// has yet).
    pub fn worked(&self) -> Worked {
        Worked {
            alias: (self.alias.iter())
                .map(|a| (a.from.clone(), a.to.clone(), a.kind))
                .collect(),
            retype: (self.retype.iter())
                .map(|r| (r.name.clone(), r.to, r.from))
                .collect(),
            block: (self.block.iter())
                .map(|b| (b.name.clone(), b.kind))
                .collect(),
            keep: self.keep.iter().map(|k| (k.name.clone(), k.kind)).collect(),
            resolved: self.resolved().to_vec(),
            groups: (self.groups().iter())
                .map(|g| (g.target.clone(), g.members.clone()))
                .collect(),
        }
    }

    /// The rules `worked` was made of, with its resolutions taken as they are.
    pub fn from_worked(worked: Worked) -> EntityRules {
        let rules = EntityRules {
            alias: (worked.alias.into_iter())
                .map(|(from, to, kind)| Alias { from, to, kind })
                .collect(),
            retype: (worked.retype.into_iter())
                .map(|(name, to, from)| Retype { name, to, from })
                .collect(),
            block: (worked.block.into_iter())
                .map(|(name, kind)| Block { name, kind })
                .collect(),
            keep: (worked.keep.into_iter())
                .map(|(name, kind)| Keep { name, kind })
                .collect(),
            by_from: AliasIndex::default(),
        };
        // A fresh index: nothing resolved or grouped yet, so the cells are empty and take them.
        let _ = rules.by_from.2.set(worked.resolved);
        let groups = (worked.groups.into_iter())
            .map(|(target, members)| Group { target, members })
            .collect();
        let _ = rules.by_from.1.set(groups);
        rules
    }

    /// Rules from TOML text; a mistake is an error naming `origin` and the line.
    pub fn parse(text: &str, origin: &str) -> Result<EntityRules> {
        let rules: EntityRules = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let message = e.message().trim().to_string();
            Error::Usage(match line {
                Some(n) => format!("{origin} line {n}: {message}"),
                None => format!("{origin}: {message}"),
            })
        })?;
        rules
            .validate()
            .map_err(|e| Error::Usage(format!("{origin}: {e}")))?;
        Ok(rules)
    }

    /// The rules as the file keeps them.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("{HEADER}\n{body}")
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let blank = |s: &str| s.trim().is_empty();
        for a in &self.alias {
            if blank(&a.from) || blank(&a.to) {
                return Err("an alias needs both `from` and `to`".into());
            }
            if a.from == a.to {
                return Err(format!("alias {:?} names itself", a.from));
            }
        }
        if self.retype.iter().any(|r| blank(&r.name))
            || self.block.iter().any(|b| blank(&b.name))
            || self.keep.iter().any(|k| blank(&k.name))
        {
            return Err("a rule has an empty name".into());
        }
        Ok(())
    }

    /// Apply one edit.
    pub fn edit(&mut self, edit: &Edit) -> Result<()> {
        match edit {
            Edit::AddAlias { from, to, kind } => self.add_alias(from, to, *kind),
            Edit::Retype { name, to, kind } => self.add_retype(name, *to, *kind),
            Edit::Block { name, kind } => self.add_block(name, *kind),
            Edit::Keep { name, kind } => self.add_keep(name, *kind),
            Edit::Remove { name, kind } => match self.remove(name, *kind) {
                0 => Err(Error::Usage(format!("no rule is about {:?}", name.trim()))),
                _ => Ok(()),
            },
        }
    }

    /// How many rules there are.
    pub fn len(&self) -> usize {
        self.alias.len() + self.retype.len() + self.block.len() + self.keep.len()
    }

    /// Keep `name` (found as `kind`, or any kind) out of the automatic merges.
    pub fn add_keep(&mut self, name: &str, kind: Option<EntityKind>) -> Result<()> {
        let name = name.trim().to_string();
        self.keep.retain(|k| !(k.name == name && k.kind == kind));
        self.keep.push(Keep { name, kind });
        self.validate().map_err(Error::Usage)
    }

    /// Does some rule name `name` of `kind`, in any role? An automatic merge about such a name
    /// gives way to the rule.
    pub fn mentions(&self, kind: EntityKind, name: &str) -> bool {
        self.alias
            .iter()
            .any(|a| (a.from == name || a.to == name) && applies(a.kind, kind))
            || self
                .retype
                .iter()
                .any(|r| r.name == name && applies(r.from, kind))
            || self
                .block
                .iter()
                .any(|b| b.name == name && applies(b.kind, kind))
            || self
                .keep
                .iter()
                .any(|k| k.name == name && applies(k.kind, kind))
    }

    /// Add (or replace) the alias of `from` in `kind`. Refused when it would make a cycle.
    pub fn add_alias(&mut self, from: &str, to: &str, kind: Option<EntityKind>) -> Result<()> {
        let (from, to) = (from.trim().to_string(), to.trim().to_string());
        let rule = Alias { from, to, kind };
        let mut next = self.clone();
        next.alias
            .retain(|a| !(a.from == rule.from && a.kind == rule.kind));
        next.alias.push(rule.clone());
        next.validate().map_err(Error::Usage)?;
        for k in EntityKind::ALL {
            if applies(kind, k) && next.alias_chain(k, &rule.to).contains(&rule.from) {
                return Err(Error::Usage(format!(
                    "{:?} already leads to {:?}: the alias would go round in a circle",
                    rule.to, rule.from
                )));
            }
        }
        *self = next;
        Ok(())
    }

    /// Add (or replace) the kind of `name` found as `from`.
    pub fn add_retype(
        &mut self,
        name: &str,
        to: EntityKind,
        from: Option<EntityKind>,
    ) -> Result<()> {
        let name = name.trim().to_string();
        if from == Some(to) {
            return Err(Error::Usage(format!("{name:?} is already {}", to.as_str())));
        }
        self.by_from = AliasIndex::default();
        self.retype.retain(|r| !(r.name == name && r.from == from));
        self.retype.push(Retype { name, to, from });
        self.validate().map_err(Error::Usage)
    }

    pub fn add_block(&mut self, name: &str, kind: Option<EntityKind>) -> Result<()> {
        let name = name.trim().to_string();
        self.by_from = AliasIndex::default();
        self.block.retain(|b| !(b.name == name && b.kind == kind));
        self.block.push(Block { name, kind });
        self.validate().map_err(Error::Usage)
    }

    /// Remove every rule about `name` (an alias from it, its retype, its block), only those of
    /// `kind` when given. Returns how many went.
    pub fn remove(&mut self, name: &str, kind: Option<EntityKind>) -> usize {
        let name = name.trim();
        let same = |k: Option<EntityKind>| kind.is_none() || k == kind;
        let before = self.len();
        self.by_from = AliasIndex::default();
        self.alias.retain(|a| !(a.from == name && same(a.kind)));
        self.retype.retain(|r| !(r.name == name && same(r.from)));
        self.block.retain(|b| !(b.name == name && same(b.kind)));
        self.keep.retain(|k| !(k.name == name && same(k.kind)));
        before - self.len()
    }

    fn alias_of(&self, kind: EntityKind, name: &str) -> Option<&str> {
        let by_from = self.by_from.0.get_or_init(|| {
            let mut map: std::collections::HashMap<String, Vec<usize>> = Default::default();
            for (i, a) in self.alias.iter().enumerate() {
                map.entry(a.from.clone()).or_default().push(i);
            }
            map
        });
        // The last rule written wins when several could apply (a kind-specific one after a
        // general one, say), as a later line of the file would be expected to.
        by_from
            .get(name)?
            .iter()
            .rev()
            .map(|&i| &self.alias[i])
            .find(|a| applies(a.kind, kind))
            .map(|a| a.to.as_str())
    }

    /// `name` and every name the aliases lead it to, in order.
    fn alias_chain(&self, kind: EntityKind, name: &str) -> Vec<String> {
        let mut chain = vec![name.to_string()];
        for _ in 0..MAX_HOPS {
            let last = chain.last().map(String::as_str).unwrap_or(name);
            match self.alias_of(kind, last) {
                Some(next) if !chain.iter().any(|c| c == next) => chain.push(next.to_string()),
                _ => break,
            }
        }
        chain
    }

    fn blocked(&self, kind: EntityKind, name: &str) -> bool {
        let by_name =
            (self.by_from.5).get_or_init(|| positions(self.block.iter().map(|b| b.name.as_str())));
        by_name
            .get(name)
            .is_some_and(|at| at.iter().any(|&i| applies(self.block[i].kind, kind)))
    }

    fn kind_of(&self, kind: EntityKind, name: &str) -> EntityKind {
        let by_name =
            (self.by_from.4).get_or_init(|| positions(self.retype.iter().map(|r| r.name.as_str())));
        // The last rule written wins, as in `alias_of`.
        by_name
            .get(name)
            .and_then(|at| {
                at.iter()
                    .rev()
                    .map(|&i| &self.retype[i])
                    .find(|r| applies(r.from, kind))
            })
            .map_or(kind, |r| r.to)
    }

    /// The name an alias makes of `name` found as `kind` (itself when none applies).
    pub fn aliased(&self, kind: EntityKind, name: &str) -> String {
        self.alias_chain(kind, name)
            .pop()
            .unwrap_or_else(|| name.to_string())
    }

    /// What an indexed entity shows as; `None` when it is blocked. A name no rule mentions shows
    /// as itself: every rule (alias, block, retype) applies to a name it spells out.
    pub fn resolve(&self, kind: EntityKind, name: &str) -> Option<Entity> {
        let by_name = self.by_from.3.get_or_init(|| {
            let mut map = ResolvedByName::default();
            for ((k, n), target) in self.resolved() {
                map.entry(n.clone()).or_default().push((*k, target.clone()));
            }
            map
        });
        match by_name.get(name) {
            Some(kinds) => match kinds.iter().find(|(k, _)| *k == kind) {
                Some((_, target)) => target.clone(),
                None => self.resolve_by_rules(kind, name),
            },
            None => Some((kind, name.to_string())),
        }
    }

    /// `resolve` from the rules themselves: the alias chain, then blocks along it, then retypes.
    fn resolve_by_rules(&self, kind: EntityKind, name: &str) -> Option<Entity> {
        let chain = self.alias_chain(kind, name);
        if chain.iter().any(|n| self.blocked(kind, n)) {
            return None;
        }
        let target = chain.last().cloned().unwrap_or_else(|| name.to_string());
        Some((self.kind_of(kind, &target), target))
    }

    /// Every indexed entity some alias, block or retype is about, in the kinds it applies to:
    /// the only ones that may show as something else (a name no rule is about shows as itself).
    /// Crossing every rule-mentioned name with every kind instead made four times the pairs,
    /// most of them shown as themselves, and resolving them was a third of a command-line
    /// search: most rules (the automatic merges) are about one kind.
    fn subjects(&self) -> BTreeSet<(EntityKind, &str)> {
        let mut out = BTreeSet::new();
        for a in &self.alias {
            out.extend(Self::kinds(a.kind).map(|k| (k, a.from.as_str())));
        }
        for r in &self.retype {
            out.extend(Self::kinds(r.from).map(|k| (k, r.name.as_str())));
        }
        for b in &self.block {
            out.extend(Self::kinds(b.kind).map(|k| (k, b.name.as_str())));
        }
        out
    }

    /// The kinds a rule narrowed to `kind` (or to none) applies to.
    fn kinds(kind: Option<EntityKind>) -> impl Iterator<Item = EntityKind> {
        EntityKind::ALL
            .into_iter()
            .filter(move |k| applies(kind, *k))
    }

    /// The entities some rule is about, with what each resolves to, resolved once.
    fn resolved(&self) -> &[(Entity, Option<Entity>)] {
        self.by_from.2.get_or_init(|| {
            self.subjects()
                .into_iter()
                .map(|(k, n)| (k, n.to_string()))
                .map(|raw| {
                    let target = self.resolve_by_rules(raw.0, &raw.1);
                    (raw, target)
                })
                .collect()
        })
    }

    /// Indexed entities the rules change (merged into another, moved, blocked) or merge others
    /// into, per kind: the facet values that cannot be counted as they are indexed.
    pub fn affected(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        let mut out: BTreeMap<EntityKind, BTreeSet<String>> = BTreeMap::new();
        for group in self.groups() {
            for (k, n) in &group.members {
                out.entry(*k).or_default().insert(n.clone());
            }
        }
        for ((k, n), target) in self.resolved() {
            if target.is_none() {
                out.entry(*k).or_default().insert(n.clone());
            }
        }
        out
    }

    /// Every merged or moved value with the indexed names that show as it (those whose members
    /// are more than the value itself as indexed).
    pub fn groups(&self) -> &[Group] {
        self.by_from.1.get_or_init(|| self.find_groups())
    }

    fn find_groups(&self) -> Vec<Group> {
        let mut by_target: BTreeMap<Entity, BTreeSet<Entity>> = BTreeMap::new();
        for (raw, target) in self.resolved() {
            if let Some(target) = target
                && target != raw
            {
                by_target
                    .entry(target.clone())
                    .or_default()
                    .insert(raw.clone());
            }
        }
        by_target
            .into_iter()
            .map(|(target, mut members)| {
                if self.resolve(target.0, &target.1).as_ref() == Some(&target) {
                    members.insert(target.clone());
                }
                Group {
                    target,
                    members: members.into_iter().collect(),
                }
            })
            .collect()
    }

    /// What a filter on `name` of `kind` must match: the indexed names that show as it (the
    /// name's alias first). Empty when nothing can (a blocked or moved name).
    pub fn members(&self, kind: EntityKind, name: &str) -> Vec<Entity> {
        let target = (kind, self.aliased(kind, name));
        let mut out: BTreeSet<Entity> = (self.resolved().iter())
            .filter(|(_, shown)| shown.as_ref() == Some(&target))
            .map(|(raw, _)| raw.clone())
            .collect();
        if self.resolve(target.0, &target.1).as_ref() == Some(&target) {
            out.insert(target);
        }
        out.into_iter().collect()
    }

    /// An article's entities as the rules show them: names merged (each once, in first-seen
    /// order), moved to their kind, blocked ones gone.
    pub fn apply(
        &self,
        entities: &BTreeMap<EntityKind, Vec<String>>,
    ) -> BTreeMap<EntityKind, Vec<String>> {
        let mut out: BTreeMap<EntityKind, Vec<String>> =
            entities.keys().map(|k| (*k, Vec::new())).collect();
        for (kind, names) in entities {
            for name in names {
                if let Some((k, n)) = self.resolve(*kind, name) {
                    let list = out.entry(k).or_default();
                    if !list.contains(&n) {
                        list.push(n);
                    }
                }
            }
        }
        out
    }

    /// How a query leaf on `kind` that matches names by `matches` must change.
    pub fn leaf_change(
        &self,
        kind: EntityKind,
        matches: &mut dyn FnMut(&str) -> bool,
    ) -> LeafChange {
        let mut change = LeafChange::default();
        // Only the entities some rule is about can show as another.
        for ((k, n), target) in self.resolved() {
            let (k, n) = (*k, n.clone());
            if target.as_ref() == Some(&(k, n.clone())) {
                continue;
            }
            let matched_before = k == kind && matches(&n);
            let matched_now = target
                .as_ref()
                .is_some_and(|(tk, tn)| *tk == kind && matches(tn));
            if matched_before && !matched_now {
                change.exclude.push(n);
            } else if matched_now && !matched_before {
                change.include.push((k, n));
            }
        }
        change
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntityKind::*;

    fn rules(text: &str) -> EntityRules {
        EntityRules::parse(text, "rules.toml").unwrap()
    }

    #[test]
    fn aliases_chain_and_blocks_follow_them() {
        let r = rules(
            "[[alias]]\nfrom = \"Obama\"\nto = \"Barack H. Obama\"\n\
             [[alias]]\nfrom = \"Barack H. Obama\"\nto = \"Barack Obama\"\n\
             [[block]]\nname = \"Staff Reporter\"\n",
        );
        assert_eq!(
            r.resolve(Person, "Obama"),
            Some((Person, "Barack Obama".into()))
        );
        assert_eq!(r.resolve(Org, "Staff Reporter"), None);
        let members = r.members(Person, "Obama");
        assert_eq!(members.len(), 3, "{members:?}");
    }

    #[test]
    fn retype_moves_a_name_only_from_its_kind() {
        let r = rules("[[retype]]\nname = \"Jordan\"\nto = \"place\"\nfrom = \"person\"\n");
        assert_eq!(r.resolve(Person, "Jordan"), Some((Place, "Jordan".into())));
        assert_eq!(r.resolve(Org, "Jordan"), Some((Org, "Jordan".into())));
        assert!(r.members(Person, "Jordan").is_empty());
        assert_eq!(
            r.members(Place, "Jordan"),
            vec![(Person, "Jordan".into()), (Place, "Jordan".into())]
        );
    }

    #[test]
    fn an_article_with_both_names_shows_one() {
        let mut r = EntityRules::default();
        r.add_alias("Obama", "Barack Obama", None).unwrap();
        let mut e = BTreeMap::new();
        e.insert(
            Person,
            vec!["Barack Obama".to_string(), "Obama".to_string()],
        );
        assert_eq!(r.apply(&e)[&Person], vec!["Barack Obama".to_string()]);
    }

    #[test]
    fn cycles_are_refused() {
        let mut r = EntityRules::default();
        r.add_alias("A", "B", None).unwrap();
        assert!(r.add_alias("B", "A", None).is_err());
        assert!(r.add_alias("A", "A", None).is_err());
    }

    #[test]
    fn mistakes_name_the_line() {
        let text =
            "[[alias]]\nfrom = \"A\"\nto = \"B\"\n\n[[block]]\nname = \"C\"\nkind = \"planet\"\n";
        let e = EntityRules::parse(text, "x/entity-rules.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x/entity-rules.toml line 7:"), "{e}");
        assert!(e.contains("planet"), "{e}");
    }

    #[test]
    fn the_file_round_trips() {
        let mut r = EntityRules::default();
        r.add_alias("Obama", "Barack Obama", Some(Person)).unwrap();
        r.add_retype("Jordan", Place, None).unwrap();
        r.add_block("Getty Images", None).unwrap();
        assert_eq!(EntityRules::parse(&r.to_toml(), "t").unwrap(), r);
        assert_eq!(r.remove("Jordan", None), 1);
        assert_eq!(r.retype.len(), 0);
    }

    #[test]
    fn worked_rules_answer_as_the_rules_do() {
        let r = rules(
            "[[alias]]\nfrom = \"Obama\"\nto = \"Barack Obama\"\nkind = \"person\"\n\
             [[alias]]\nfrom = \"B. Obama\"\nto = \"Obama\"\n\
             [[retype]]\nname = \"Jordan\"\nto = \"place\"\nfrom = \"person\"\n\
             [[block]]\nname = \"Staff Reporter\"\n\
             [[keep]]\nname = \"Paris\"\n",
        );
        let back = EntityRules::from_worked(r.worked());
        assert_eq!(back, r);
        assert_eq!(back.groups(), r.groups());
        assert_eq!(back.affected(), r.affected());
        for name in [
            "Obama",
            "B. Obama",
            "Barack Obama",
            "Jordan",
            "Staff Reporter",
            "Paris",
        ] {
            for kind in EntityKind::ALL {
                assert_eq!(
                    back.resolve(kind, name),
                    r.resolve(kind, name),
                    "{kind:?} {name}"
                );
                assert_eq!(back.members(kind, name), r.members(kind, name));
            }
        }
        assert_eq!(back.members(Person, "Obama").len(), 3);
    }

    #[test]
    fn leaf_change_moves_matches_between_kinds() {
        let r = rules("[[retype]]\nname = \"Jordan\"\nto = \"place\"\n");
        let change = r.leaf_change(Person, &mut |n| n.contains("Jordan"));
        assert_eq!(change.exclude, vec!["Jordan".to_string()]);
        let change = r.leaf_change(Place, &mut |n| n.contains("Jordan"));
        assert!(change.include.contains(&(Person, "Jordan".to_string())));
    }
}
