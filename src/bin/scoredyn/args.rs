//! A small, strict command-line parser: `--name value` pairs, repeatable where
//! a command says so, and an error for anything it did not ask about.

use scoredyn::Error;
use std::collections::BTreeSet;
use std::str::FromStr;

pub struct Args {
    pairs: Vec<(String, String)>,
    used: BTreeSet<String>,
}

impl Args {
    pub fn parse(raw: &[String]) -> Result<Self, Error> {
        let mut pairs = Vec::new();
        let mut it = raw.iter();
        while let Some(a) = it.next() {
            let Some(name) = a.strip_prefix("--") else {
                return Err(Error::invalid(format!(
                    "unexpected argument '{a}' (options start with --)"
                )));
            };
            let (name, value) = match name.split_once('=') {
                Some((n, v)) if !n.is_empty() && n != "param" => (n.to_string(), v.to_string()),
                _ => {
                    // A flag without a value (`--json`) is followed by another option or nothing.
                    let v = match it.as_slice().first() {
                        Some(next) if !next.starts_with("--") => it.next().unwrap().clone(),
                        _ => String::new(),
                    };
                    (name.to_string(), v)
                }
            };
            pairs.push((name, value));
        }
        Ok(Self {
            pairs,
            used: BTreeSet::new(),
        })
    }

    pub fn str(&mut self, name: &str) -> Option<String> {
        self.used.insert(name.to_string());
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    pub fn all(&mut self, name: &str) -> Vec<String> {
        self.used.insert(name.to_string());
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn required(&mut self, name: &str) -> Result<String, Error> {
        match self.str(name) {
            Some(v) if !v.is_empty() => Ok(v),
            Some(_) => Err(Error::invalid(format!("--{name} needs a value"))),
            None => Err(Error::invalid(format!("--{name} is required"))),
        }
    }

    pub fn get<T: FromStr>(&mut self, name: &str) -> Result<Option<T>, Error> {
        match self.str(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<T>()
                .map(Some)
                .map_err(|_| Error::invalid(format!("--{name}: '{v}' is not a valid value"))),
        }
    }

    pub fn get_or<T: FromStr>(&mut self, name: &str, default: T) -> Result<T, Error> {
        Ok(self.get(name)?.unwrap_or(default))
    }

    /// Fails on any option no one asked about (a typo must not be ignored).
    pub fn finish(&self) -> Result<(), Error> {
        for (n, _) in &self.pairs {
            if !self.used.contains(n) {
                return Err(Error::invalid(format!(
                    "unknown option --{n} for this command (see --help)"
                )));
            }
        }
        Ok(())
    }
}
