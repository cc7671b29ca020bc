//! HTTP API and the embedded web page. Placeholder until the server lands.
use crate::search::Engine;
use crate::{Error, Result};

pub fn serve(_engine: Engine, addr: &str) -> Result<()> {
    Err(Error::Other(format!("serve on {addr}: not built yet")))
}
