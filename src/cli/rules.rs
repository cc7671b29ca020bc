//! `newsdex entities rules|add-alias|retype|block|keep|remove|merges`: the entity rules kept
//! with an index, listed and edited from the command line, and the archive-wide merges listed with
//! their evidence (the library does the editing; this only parses and prints).
use clap::Subcommand;

use super::print;
use super::{IndexLocation, KindArg};
use newsdex::Result;
use newsdex::entities::EntityKind;
use newsdex::entities::rules::{Edit, EntityRules};
use newsdex::features::rules::edit_rules;
use newsdex::open::{self, Usage};

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the entity rules kept with the index
    Rules(ListArgs),
    /// Show the entity FROM as TO everywhere: facets, filters, queries, hits, exports
    AddAlias(AliasArgs),
    /// Move the entity NAME to another kind
    Retype(RetypeArgs),
    /// Show the entity NAME nowhere (junk the tagger found)
    Block(NameArgs),
    /// Keep the entity NAME as it is indexed: no archive-wide merge about it (undoes one)
    Keep(NameArgs),
    /// Remove every rule about NAME
    Remove(NameArgs),
    /// List the archive-wide merges in force (variants shown as one name), with their evidence
    Merges(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub location: IndexLocation,
    /// Print the rules as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct AliasArgs {
    /// The name as the index has it
    pub from: String,
    /// The name to show instead
    pub to: String,
    #[command(flatten)]
    pub options: EditOptions,
}

#[derive(Debug, clap::Args)]
pub struct RetypeArgs {
    /// The name as the index (or an alias) shows it
    pub name: String,
    /// Its right kind
    #[arg(value_enum)]
    pub to: KindArg,
    #[command(flatten)]
    pub options: EditOptions,
}

#[derive(Debug, clap::Args)]
pub struct NameArgs {
    /// The name as the index (or an alias) shows it
    pub name: String,
    #[command(flatten)]
    pub options: EditOptions,
}

/// What every edit takes besides its names.
#[derive(Debug, clap::Args)]
pub struct EditOptions {
    /// Only where the name was found as this kind (needed when it is found as several)
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    #[command(flatten)]
    pub location: IndexLocation,
    /// Print the rules after the change as one JSON object
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: RulesCommand) -> Result<i32> {
    let kind = |o: &EditOptions| o.kind.map(EntityKind::from);
    let (edit, options) = match command {
        RulesCommand::Rules(a) => return list(&a),
        RulesCommand::AddAlias(a) => (
            Edit::AddAlias {
                kind: kind(&a.options),
                from: a.from,
                to: a.to,
            },
            a.options,
        ),
        RulesCommand::Retype(a) => (
            Edit::Retype {
                kind: kind(&a.options),
                name: a.name,
                to: a.to.into(),
            },
            a.options,
        ),
        RulesCommand::Block(a) => (
            Edit::Block {
                kind: kind(&a.options),
                name: a.name,
            },
            a.options,
        ),
        RulesCommand::Keep(a) => (
            Edit::Keep {
                kind: kind(&a.options),
                name: a.name,
            },
            a.options,
        ),
        RulesCommand::Merges(a) => return merges(&a),
        RulesCommand::Remove(a) => (
            Edit::Remove {
                kind: kind(&a.options),
                name: a.name,
            },
            a.options,
        ),
    };
    let engine = open::open(&options.location.location()?, Usage::OneShot)?;
    let edited = edit_rules(engine.as_ref(), edit)?;
    if let Some(note) = &edited.note {
        eprintln!("newsdex: {note}");
    }
    if options.json {
        print::json(&edited.rules)?;
    } else {
        print::raw(&describe(&edited.rules, &engine.location()))?;
    }
    Ok(0)
}

fn list(a: &ListArgs) -> Result<i32> {
    let engine = open::open(&a.location.location()?, Usage::OneShot)?;
    let rules = engine.entity_rules()?;
    if a.json {
        print::json(&rules)?;
    } else {
        print::raw(&describe(&rules, &engine.location()))?;
    }
    Ok(0)
}

fn merges(a: &ListArgs) -> Result<i32> {
    let engine = open::open(&a.location.location()?, Usage::OneShot)?;
    let merges = newsdex::features::merges::merges_in_force(engine.as_ref())?;
    if a.json {
        print::json(&merges)?;
        return Ok(0);
    }
    let mut out = String::new();
    for m in &merges.merges {
        let to = match m.to_kind {
            Some(kind) => format!("{} ({})", m.to, kind.as_str()),
            None => m.to.clone(),
        };
        out.push_str(&format!(
            "{:<6}  {} -> {to}  [{}: {}]\n",
            m.kind.as_str(),
            m.from,
            m.reason.as_str(),
            m.evidence()
        ));
    }
    let n = merges.merges.len();
    let plural = if n == 1 { "merge" } else { "merges" };
    out.push_str(&format!(
        "{n} archive-wide {plural} in force in {} (undo one: newsdex entities keep NAME)\n",
        engine.location()
    ));
    print::raw(&out)?;
    Ok(0)
}

/// One line a rule, then where they are kept.
pub fn describe(rules: &EntityRules, location: &str) -> String {
    let only = |k: Option<EntityKind>| k.map_or(String::new(), |k| format!(" (as {})", k.as_str()));
    let mut out = String::new();
    for a in &rules.alias {
        out.push_str(&format!("alias   {} -> {}{}\n", a.from, a.to, only(a.kind)));
    }
    for r in &rules.retype {
        out.push_str(&format!(
            "retype  {} -> {}{}\n",
            r.name,
            r.to.as_str(),
            only(r.from)
        ));
    }
    for b in &rules.block {
        out.push_str(&format!("block   {}{}\n", b.name, only(b.kind)));
    }
    for k in &rules.keep {
        out.push_str(&format!("keep    {}{}\n", k.name, only(k.kind)));
    }
    let n = rules.len();
    let plural = if n == 1 { "rule" } else { "rules" };
    out.push_str(&format!("{n} entity {plural} kept with {location}\n"));
    out
}
