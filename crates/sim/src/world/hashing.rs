//! Stable hashes: FNV, word mixing, canonical JSON hashing, upstream-style
//! pod-template-hash (memoised per object generation), generateName suffixes, base64.

use serde_json::Value;

/// FNV-1a 64 over bytes.
pub fn fnv64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// FNV-1a 32 over bytes (what upstream uses for pod-template-hash).
pub fn fnv32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Mixes a few words into one well-distributed hash (splitmix64 finaliser).
pub fn mix(parts: &[u64]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for p in parts {
        h ^= p.wrapping_add(0x9e37_79b9_7f4a_7c15).wrapping_add(h << 6);
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^= h >> 31;
    }
    h
}

/// Writes `v` with object keys sorted, so hashes do not depend on map ordering.
fn canonical(v: &Value, out: &mut Vec<u8>) {
    canonical_skip(v, None, out);
}

/// Like [`canonical`], leaving out object keys named `skip` (at any depth).
fn canonical_skip(v: &Value, skip: Option<&str>, out: &mut Vec<u8>) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().filter(|k| Some(k.as_str()) != skip).collect();
            keys.sort();
            out.push(b'{');
            for k in keys {
                out.extend_from_slice(k.as_bytes());
                out.push(b':');
                canonical_skip(&m[k.as_str()], skip, out);
                out.push(b',');
            }
            out.push(b'}');
        }
        Value::Array(a) => {
            out.push(b'[');
            for x in a {
                canonical_skip(x, skip, out);
                out.push(b',');
            }
            out.push(b']');
        }
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

/// One character of upstream's `rand.SafeEncodeString` alphabet (no vowels, no confusables).
fn safe_char(b: u8) -> char {
    const A: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    char::from(A[usize::from(b) % A.len()])
}

/// Hash of a pod template like upstream's `ComputeHash`: FNV-32a, printed in decimal,
/// then safe-encoded (e.g. `5d8f7c9b6`). The `pod-template-hash` label is ignored.
pub fn template_hash(template: &Value) -> String {
    let mut buf = Vec::with_capacity(1024);
    canonical_skip(template, Some("pod-template-hash"), &mut buf);
    fnv32(&buf).to_string().bytes().map(safe_char).collect()
}

thread_local! {
    static HASH_MEMO: std::cell::RefCell<std::collections::HashMap<(String, i64), String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// [`template_hash`] of `obj.spec.template`, memoised by (uid, generation): the template
/// only changes with the generation, and hashing every controller's template every tick
/// is the largest cost of a settled site.
pub fn spec_template_hash(obj: &Value) -> String {
    static NULL: Value = Value::Null;
    let template = obj.pointer("/spec/template").unwrap_or(&NULL);
    let id = super::objects::uid(obj);
    if id.is_empty() {
        return template_hash(template);
    }
    let k = (id.to_string(), super::objects::generation(obj));
    if let Some(h) = HASH_MEMO.with(|m| m.borrow().get(&k).cloned()) {
        return h;
    }
    let h = template_hash(template);
    HASH_MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() > 50_000 {
            m.clear();
        }
        m.insert(k, h.clone());
    });
    h
}

/// Stable 64-bit hash of any JSON value.
pub fn value_hash(v: &Value) -> u64 {
    let mut buf = Vec::new();
    canonical(v, &mut buf);
    fnv64(&buf)
}

/// `n` random safe characters, like generateName suffixes.
pub fn random_suffix(rng: &mut impl rand::Rng, n: usize) -> String {
    (0..n)
        .map(|_| safe_char(rng.random_range(0..27u8)))
        .collect()
}

/// Standard base64 (for Secret `data`).
pub fn base64(input: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_matches_reference() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn template_hash_ignores_key_order_and_hash_label() {
        let a = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"x": 1}});
        let b = json!({"spec": {"x": 1}, "metadata": {"labels": {"pod-template-hash": "zz", "b": "2", "a": "1"}}});
        assert_eq!(template_hash(&a), template_hash(&b));
        let c = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"x": 2}});
        assert_ne!(template_hash(&a), template_hash(&c));
        assert!(template_hash(&a).chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
