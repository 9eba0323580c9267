//! `scoredyn systems`: the catalog, as a table or as JSON.

use crate::common::write_out;
use clap::Args;
use scoredyn::Error;

/// List the catalog (a table, or JSON with parameters, initial conditions, metadata)
#[derive(Args)]
pub struct Systems {
    /// Every entry as JSON
    #[arg(long)]
    json: bool,
}

impl Systems {
    pub fn run(self) -> Result<(), Error> {
        let cat = scoredyn::dynamics::catalog();
        if self.json {
            let list: Vec<_> = cat
                .iter()
                .map(scoredyn::dynamics::listing::to_json)
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).expect("serializable")
            );
            return Ok(());
        }
        let mut text = String::new();
        for s in cat {
            let kind = match (&s.unsupported, s.family) {
                (Some(_), _) => "unsupported",
                (None, f) => f.as_str(),
            };
            let mut desc: String = s.description.chars().take(70).collect();
            if s.description.chars().count() > 70 {
                desc.push_str("...");
            }
            text.push_str(&format!(
                "{:<26} {:>3}  {:<11} {}\n",
                s.name, s.dim, kind, desc
            ));
        }
        let supported = cat.iter().filter(|s| s.supported()).count();
        text.push_str(&format!(
            "\n{supported} of {} systems supported; delay equations are listed but not integrated. \
             `scoredyn systems --json` gives parameters, initial conditions and metadata.\n",
            cat.len()
        ));
        write_out(None, &text)
    }
}
