//! `http-load`: requests per second and latency of an HTTP server over keep-alive connections,
//! each connection a thread sending the next of a list of paths as soon as the last answer has
//! arrived; the bench suite's load test (`scripts/bench`).
//!
//! Why not wrk alone: a server that writes an answer in more than one piece with Nagle's
//! algorithm on (tantivy-cli's does) holds the last piece until the client acknowledges the
//! first, and a client delaying its acknowledgement (Linux waits up to 40 ms) stalls every such
//! answer that long. wrk cannot change that, so a comparison with such a server measured the
//! stall, not the engine. This client acknowledges at once (`TCP_QUICKACK` after each request), so
//! each server is measured at its own pace; a server that writes its answer whole is unaffected.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "Requests/s and latency of an HTTP server, acknowledging every answer at once")]
struct Args {
    /// The server, as HOST:PORT (an address, not a name).
    addr: SocketAddr,
    /// A file of request paths, one per line, sent in turn.
    #[arg(long)]
    paths: PathBuf,
    /// Connections, each on a thread of its own.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// How long to send requests, in seconds.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Acknowledge as the system does (delayed), as wrk and most clients do.
    #[arg(long)]
    delayed_acks: bool,
}

/// What one connection measured.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    non_2xx: u64,
    errors: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let text = std::fs::read_to_string(&args.paths)
        .with_context(|| format!("cannot read {}", args.paths.display()))?;
    let paths: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if paths.is_empty() {
        bail!("{}: no request paths", args.paths.display());
    }
    let until = Instant::now() + Duration::from_secs_f64(args.seconds);
    let started = Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..args.connections)
            .map(|c| {
                let paths = &paths;
                let quick = !args.delayed_acks;
                s.spawn(move || connection(args.addr, paths, c, until, quick))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut all: Vec<u64> = tallies
        .iter()
        .flat_map(|t| t.latencies_us.iter().copied())
        .collect();
    all.sort_unstable();
    let at = |p: f64| -> f64 {
        match all.len() {
            0 => f64::NAN,
            n => all[((p / 100.0) * (n - 1) as f64).round() as usize] as f64 / 1000.0,
        }
    };
    println!(
        "{{\"requests\": {}, \"seconds\": {:.3}, \"rps\": {:.1}, \"p50_ms\": {:.3}, \"p99_ms\": {:.3}, \"non_2xx\": {}, \"errors\": {}}}",
        all.len(),
        elapsed,
        all.len() as f64 / elapsed,
        at(50.0),
        at(99.0),
        tallies.iter().map(|t| t.non_2xx).sum::<u64>(),
        tallies.iter().map(|t| t.errors).sum::<u64>(),
    );
    Ok(())
}

/// One keep-alive connection sending paths in turn from its own offset until `until`; a broken
/// connection is counted and opened again.
fn connection(
    addr: SocketAddr,
    paths: &[String],
    offset: usize,
    until: Instant,
    quick: bool,
) -> Tally {
    let mut tally = Tally::default();
    let mut next = offset;
    let mut stream: Option<BufReader<TcpStream>> = None;
    while Instant::now() < until {
        let conn = match stream.as_mut() {
            Some(conn) => conn,
            None => match open(addr) {
                Ok(conn) => stream.insert(conn),
                Err(_) => {
                    tally.errors += 1;
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            },
        };
        let path = &paths[next % paths.len()];
        next += 1;
        let sent = Instant::now();
        match exchange(conn, addr, path, quick) {
            Ok(status) => {
                tally.latencies_us.push(sent.elapsed().as_micros() as u64);
                if !(200..300).contains(&status) {
                    tally.non_2xx += 1;
                }
            }
            Err(_) => {
                tally.errors += 1;
                stream = None;
            }
        }
    }
    tally
}

fn open(addr: SocketAddr) -> io::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    Ok(BufReader::with_capacity(64 * 1024, stream))
}

/// Send one GET and read its whole answer; the answer's status.
fn exchange(
    conn: &mut BufReader<TcpStream>,
    addr: SocketAddr,
    path: &str,
    quick: bool,
) -> io::Result<u16> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: */*\r\n\r\n");
    conn.get_mut().write_all(request.as_bytes())?;
    acknowledge_at_once(conn.get_ref(), quick);
    read_response(conn)
}

/// Linux turns quick acknowledgements off again by itself, so this is asked for every request.
fn acknowledge_at_once(stream: &TcpStream, quick: bool) {
    if quick {
        let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
    }
}

/// Read one HTTP/1.1 answer (a body of `Content-Length` bytes or chunked). Returns the status.
fn read_response<R: BufRead>(conn: &mut R) -> io::Result<u16> {
    let mut line = String::new();
    read_line(conn, &mut line)?;
    let status: u16 = (line.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("not an HTTP status line: {line:?}")))?;
    let mut length: Option<usize> = None;
    let mut chunked = false;
    loop {
        line.clear();
        read_line(conn, &mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let (name, value) = (name.trim(), value.trim());
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .parse()
                        .map_err(|_| bad("bad Content-Length".into()))?,
                );
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().contains("chunked");
            }
        }
    }
    if chunked {
        loop {
            line.clear();
            read_line(conn, &mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| bad(format!("bad chunk size {line:?}")))?;
            skip(conn, size)?;
            line.clear();
            read_line(conn, &mut line)?;
            if size == 0 {
                return Ok(status);
            }
        }
    }
    skip(conn, length.unwrap_or(0))?;
    Ok(status)
}

fn read_line<R: BufRead>(conn: &mut R, line: &mut String) -> io::Result<()> {
    if conn.read_line(line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    Ok(())
}

/// Read past `n` bytes of body; fewer before the connection closes is an error.
fn skip<R: BufRead>(conn: &mut R, n: usize) -> io::Result<()> {
    let read = io::copy(&mut Read::take(&mut *conn, n as u64), &mut io::sink())?;
    if read < n as u64 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    Ok(())
}

fn bad(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_and_rest(answer: &str) -> (io::Result<u16>, String) {
        let mut conn = io::Cursor::new(answer.as_bytes().to_vec());
        let status = read_response(&mut conn);
        let mut rest = String::new();
        conn.read_to_string(&mut rest).unwrap();
        (status, rest)
    }

    #[test]
    fn a_sized_answer_is_read_to_its_end_and_no_further() {
        let (status, rest) =
            status_and_rest("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404");
        assert_eq!(status.unwrap(), 200);
        assert_eq!(rest, "HTTP/1.1 404");
    }

    #[test]
    fn a_chunked_answer_is_read_through_its_last_chunk() {
        let (status, rest) = status_and_rest(
            "HTTP/1.1 503 Busy\r\ntransfer-encoding: chunked\r\n\r\n4\r\nbusy\r\n3;x=1\r\n...\r\n0\r\n\r\nNEXT",
        );
        assert_eq!(status.unwrap(), 503);
        assert_eq!(rest, "NEXT");
    }

    #[test]
    fn an_answer_cut_short_is_an_error() {
        let (status, _) = status_and_rest("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort");
        assert!(status.is_err());
        let (status, _) = status_and_rest("garbage\r\n\r\n");
        assert!(status.is_err());
    }
}
