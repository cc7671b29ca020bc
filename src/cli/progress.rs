//! The indexing progress bar: files, articles per second and time left, on a terminal only.
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use newsdex::features::indexing::Observer;

pub struct Bar {
    bar: Option<ProgressBar>,
    articles: AtomicU64,
    started: Instant,
}

impl Bar {
    pub fn new(visible: bool) -> Self {
        let bar = visible.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let style =
                ProgressStyle::with_template("{bar:30} {pos}/{len} files  {msg}  eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Bar {
            bar,
            articles: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Bar {
    fn files_to_parse(&self, total: usize) {
        if let Some(bar) = &self.bar {
            bar.inc_length(total as u64);
        }
    }

    fn file_done(&self, articles: usize) {
        let total = self.articles.fetch_add(articles as u64, Ordering::Relaxed) + articles as u64;
        if let Some(bar) = &self.bar {
            bar.inc(1);
            let rate = total as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!("{total} articles, {rate:.0}/s"));
        }
    }
}
