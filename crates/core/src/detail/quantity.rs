//! Parsing of Kubernetes resource quantities (`250m`, `2`, `1536Mi`, `8G`, `12345n`).

/// CPU in millicores; `None` when the text is not a quantity.
pub fn parse_cpu_millis(q: &str) -> Option<f64> {
    let q = q.trim();
    let (num, scale) = if let Some(n) = q.strip_suffix('n') {
        (n, 1e-6)
    } else if let Some(n) = q.strip_suffix('u') {
        (n, 1e-3)
    } else if let Some(n) = q.strip_suffix('m') {
        (n, 1.0)
    } else {
        (q, 1000.0)
    };
    num.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v * scale)
}

/// Memory in bytes; `None` when the text is not a quantity.
pub fn parse_memory_bytes(q: &str) -> Option<f64> {
    const SUFFIXES: [(&str, f64); 12] = [
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("Pi", 1_125_899_906_842_624.0),
        ("Ei", 1_152_921_504_606_846_976.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    let q = q.trim();
    let (num, scale) = SUFFIXES
        .iter()
        .find_map(|(s, f)| q.strip_suffix(s).map(|n| (n, *f)))
        .or_else(|| q.strip_suffix('m').map(|n| (n, 1e-3)))
        .unwrap_or((q, 1.0));
    num.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_units() {
        assert_eq!(parse_cpu_millis("250m"), Some(250.0));
        assert_eq!(parse_cpu_millis("2"), Some(2000.0));
        assert_eq!(parse_cpu_millis("0.5"), Some(500.0));
        assert_eq!(parse_cpu_millis("123456789n"), Some(123.456789));
        assert_eq!(parse_cpu_millis("1500u"), Some(1.5));
        assert_eq!(parse_cpu_millis("lots"), None);
        assert_eq!(parse_cpu_millis("-1"), None);
    }

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory_bytes("1Ki"), Some(1024.0));
        assert_eq!(parse_memory_bytes("8Gi"), Some(8.0 * 1_073_741_824.0));
        assert_eq!(parse_memory_bytes("1536Mi"), Some(1536.0 * 1_048_576.0));
        assert_eq!(parse_memory_bytes("2G"), Some(2e9));
        assert_eq!(parse_memory_bytes("12345"), Some(12345.0));
        assert_eq!(parse_memory_bytes(""), None);
    }
}
