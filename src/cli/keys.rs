//! `newsdex keys create|list|revoke`: the access keys a shared server checks, kept with the index
//! (the library makes and keeps them; this only parses and prints). A new key is printed once, on
//! standard output alone, so it can be piped into a password manager and appears nowhere else.
use clap::Subcommand;

use super::IndexLocation;
use super::print;
use newsdex::Result;
use newsdex::features::keys;
use newsdex::model::keys::{KeySummary, LAST_USE_EVERY_MINUTES, Role};
use newsdex::open::{self, Usage};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a key and print it (once: only a salted hash of it is kept)
    Create(CreateArgs),
    /// List the keys: name, role, creation, expiry, last use (never the key)
    List(ListArgs),
    /// Remove a key; servers refuse it within seconds
    Revoke(RevokeArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    /// Search, read articles, export, batch, entity pages
    Read,
    /// Also edit the entity rules
    Edit,
    /// Also manage keys through the API
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Read => Role::Read,
            RoleArg::Edit => Role::Edit,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// What the key may do
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// A name for the key, shown in lists and the audit log [default: ROLE-xxxxxx]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// When the key stops working: a date (at its start, UTC) or an RFC 3339 time
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    #[command(flatten)]
    pub location: IndexLocation,
    /// Print the key and its record as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub location: IndexLocation,
    /// Print the list as one JSON array
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// The key's name (see `newsdex keys list`)
    pub name: String,
    #[command(flatten)]
    pub location: IndexLocation,
}

pub fn run(command: KeysCommand) -> Result<i32> {
    match command {
        KeysCommand::Create(a) => {
            let engine = open::open(&a.location.location()?, Usage::OneShot)?;
            let expires = a
                .expires
                .as_deref()
                .map(|e| keys::parse_expiry(e, chrono::Utc::now()))
                .transpose()?;
            let made = keys::create(engine.as_ref(), a.role.into(), a.name.as_deref(), expires)?;
            if a.json {
                print::json(&serde_json::json!({
                    "key": made.key,
                    "name": made.record.name,
                    "role": made.record.role,
                    "expires": made.record.expires,
                }))?;
            } else {
                print::raw(&format!("{}\n", made.key))?;
                eprintln!(
                    "newsdex: key {:?} ({} role) kept with {}; this is the only time it is shown",
                    made.record.name,
                    made.record.role.as_str(),
                    engine.location()
                );
            }
            Ok(0)
        }
        KeysCommand::List(a) => {
            let engine = open::open(&a.location.location()?, Usage::OneShot)?;
            let list = keys::list(engine.as_ref())?;
            if a.json {
                print::json(&list)?;
            } else {
                print::raw(&describe(&list, &engine.location()))?;
            }
            Ok(0)
        }
        KeysCommand::Revoke(a) => {
            let engine = open::open(&a.location.location()?, Usage::OneShot)?;
            let gone = keys::revoke(engine.as_ref(), &a.name)?;
            eprintln!(
                "newsdex: key {:?} ({} role) revoked",
                gone.name,
                gone.role.as_str()
            );
            Ok(0)
        }
    }
}

fn describe(list: &[KeySummary], location: &str) -> String {
    let date = |d: Option<chrono::DateTime<chrono::Utc>>, none: &str| {
        d.map_or(none.to_string(), |d| d.format("%Y-%m-%d %H:%M").to_string())
    };
    let mut out = format!(
        "{:<24} {:<6} {:<17} {:<17} {:<17}\n",
        "NAME", "ROLE", "CREATED (UTC)", "EXPIRES", "LAST USED"
    );
    for k in list {
        let expires = if k.expired {
            format!("{} (expired)", date(k.expires, "never"))
        } else {
            date(k.expires, "never")
        };
        out.push_str(&format!(
            "{:<24} {:<6} {:<17} {:<17} {:<17}\n",
            k.name,
            k.role.as_str(),
            date(Some(k.created), ""),
            expires,
            date(k.last_used, "never"),
        ));
    }
    out.push_str(&format!(
        "{} key(s) kept with {location}; last use is recorded at most every {LAST_USE_EVERY_MINUTES} minutes\n",
        list.len()
    ));
    out
}
