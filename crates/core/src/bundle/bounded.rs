//! Parsing a bundle's resource lists with bounded memory: streamed from the record
//! (never the whole record in memory), at most [`MAX_OBJECTS`] objects per list, and
//! every parsed value charged to a [`Budget`] shared by the whole bundle as it is
//! built, so a record like `[{},{},…]`, which compresses to kilobytes, fails at its
//! bound instead of parsing to gigabytes. Import charges the same costs without
//! keeping anything, so a bundle it accepts is one [`super::content::read`] can read.

use super::error::BundleError;
use crate::client::MAX_OBJECTS;
use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::io::{BufReader, Read};

/// Most memory a whole bundle may take once read: parsed resources (estimated) and
/// log tails.
pub const MAX_PARSED: u64 = 512 << 20;
/// Estimated cost of one map entry beyond its key and value.
const ENTRY: u64 = 48;

/// What a bundle's content may still cost.
#[derive(Debug)]
pub struct Budget {
    left: Cell<u64>,
    limit: u64,
    /// Why parsing stopped, when a bound did it (the parser's error only says where).
    over: Cell<Option<(&'static str, u64)>>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(MAX_PARSED)
    }
}

impl Budget {
    pub fn new(limit: u64) -> Self {
        Budget {
            left: Cell::new(limit),
            limit,
            over: Cell::new(None),
        }
    }

    /// Charges `n` bytes; false (and noted) once the budget is spent.
    pub fn charge(&self, n: u64) -> bool {
        match self.left.get().checked_sub(n) {
            Some(l) => {
                self.left.set(l);
                true
            }
            None => {
                self.left.set(0);
                self.over
                    .set(Some(("bytes parsed (estimated)", self.limit)));
                false
            }
        }
    }

    /// The error for a spent budget.
    pub fn exceeded(&self, what: &str) -> BundleError {
        BundleError::TooLarge {
            what: format!("{what}: bytes parsed (estimated)"),
            limit: self.limit,
        }
    }
}

/// One JSON value, charged to the budget; built only when `keep`.
#[derive(Clone, Copy)]
struct Seed<'a> {
    budget: &'a Budget,
    keep: bool,
}

impl Seed<'_> {
    fn charge<E: serde::de::Error>(&self, n: u64) -> Result<(), E> {
        if self.budget.charge(n + std::mem::size_of::<Value>() as u64) {
            Ok(())
        } else {
            Err(E::custom("over the parse budget"))
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::from(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::from(v))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.charge(v.len() as u64)?;
        // Not kept: an empty string (no allocation) still says what it was.
        Ok(Value::String(if self.keep {
            v.to_string()
        } else {
            String::new()
        }))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Value, A::Error> {
        self.charge(0)?;
        let mut out = Vec::new();
        while let Some(v) = s.next_element_seed(self)? {
            if self.keep {
                out.push(v);
            }
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Value, A::Error> {
        self.charge(0)?;
        let mut out = Map::new();
        while let Some(k) = m.next_key::<String>()? {
            if !self.budget.charge(k.len() as u64 + ENTRY) {
                return Err(A::Error::custom("over the parse budget"));
            }
            let v = m.next_value_seed(self)?;
            if self.keep {
                out.insert(k, v);
            }
        }
        Ok(Value::Object(out))
    }
}

/// A list of objects: at most [`MAX_OBJECTS`], each charged to the budget.
struct List<'a> {
    seed: Seed<'a>,
}

impl<'de> DeserializeSeed<'de> for List<'_> {
    type Value = (Vec<Value>, u64);
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for List<'_> {
    type Value = (Vec<Value>, u64);

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        let mut n = 0u64;
        while let Some(v) = s.next_element_seed(self.seed)? {
            n += 1;
            if n > MAX_OBJECTS as u64 {
                self.seed
                    .budget
                    .over
                    .set(Some(("objects in one list", MAX_OBJECTS as u64)));
                return Err(A::Error::custom("too many objects"));
            }
            if !v.is_object() {
                return Err(A::Error::custom("not a list of objects"));
            }
            if self.seed.keep {
                out.push(v);
            }
        }
        Ok((out, n))
    }
}

/// Parses the resource list `plural` from `data`, streaming: the objects (kept only
/// when `keep`) and their count.
pub fn list(
    data: impl Read,
    plural: &str,
    budget: &Budget,
    keep: bool,
) -> Result<(Vec<Value>, u64), BundleError> {
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(data));
    let seed = List {
        seed: Seed { budget, keep },
    };
    let r = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    r.map_err(|e| {
        if let Some((what, limit)) = budget.over.take() {
            return BundleError::TooLarge {
                what: format!("{plural}: {what}"),
                limit,
            };
        }
        if e.is_io() {
            BundleError::decode(e.into())
        } else {
            BundleError::Corrupt(format!("{plural}: {e}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_bounded_in_objects_and_in_parsed_bytes() {
        let b = Budget::default();
        let (items, n) = list(&br#"[{"a":"b"},{}]"#[..], "pods", &b, true).unwrap();
        assert_eq!((items.len(), n), (2, 2));
        assert_eq!(items[0]["a"], "b");
        // Not kept: counted only.
        let (items, n) = list(&br#"[{"a":"b"},{}]"#[..], "pods", &b, false).unwrap();
        assert_eq!((items.len(), n), (0, 2));
        assert!(matches!(
            list(&b"[1]"[..], "pods", &b, true),
            Err(BundleError::Corrupt(_))
        ));

        let many = format!("[{}{{}}]", "{},".repeat(MAX_OBJECTS));
        let e = list(many.as_bytes(), "pods", &b, true).unwrap_err();
        assert!(
            matches!(&e, BundleError::TooLarge { limit, what } if *limit == MAX_OBJECTS as u64 && what.contains("pods")),
            "{e}"
        );

        // One object holding a huge array: within the object count, over the budget.
        let deep = format!("[{{\"a\":[{}[]]}}]", "[],".repeat(100_000));
        let small = Budget::new(1 << 20);
        let e = list(deep.as_bytes(), "configmaps", &small, true).unwrap_err();
        assert!(
            matches!(&e, BundleError::TooLarge { limit, .. } if *limit == 1 << 20),
            "{e}"
        );
        // The budget is shared: once spent, the next list fails too.
        let e = list(&br#"[{"a":"b"}]"#[..], "pods", &small, true).unwrap_err();
        assert!(matches!(e, BundleError::TooLarge { .. }), "{e}");
    }
}
