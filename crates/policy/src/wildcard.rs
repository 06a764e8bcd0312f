//! Domain helpers shared by merging (notes) and evaluation (the Cedar context).

/// `*` matches any run of characters (as Cedar's `like`); everything else literally.
pub(crate) fn wildcard_match(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    // Classic greedy matching with backtracking to the last star: linear in practice.
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The host an egress destination points at, lowercase: `https://user@News.example.com:443/a`
/// → `news.example.com`, `mailto:bob@example.com` and `bob@example.com` → `example.com`.
/// Anything unparsable is returned lowercased as is, so it simply matches no domain pattern.
pub fn destination_domain(destination: &str) -> String {
    let d = destination.trim();
    let d = match d.split_once("://") {
        Some((_, rest)) => rest,
        None => d.strip_prefix("mailto:").unwrap_or(d),
    };
    let authority = d.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        // IPv6 literal: keep the brackets' content, drop a port after them.
        host.split_once(']')
            .map_or(host, |(h, _)| h)
            .trim_start_matches('[')
    } else {
        host.split_once(':').map_or(host, |(h, _)| h)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_cedar() {
        assert!(wildcard_match("*.gov", "data.census.gov"));
        assert!(!wildcard_match("*.gov", "gov"));
        assert!(wildcard_match("reuters.com", "reuters.com"));
        assert!(!wildcard_match("reuters.com", "www.reuters.com"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b*c", "aXXbYY"));
    }

    #[test]
    fn domains_are_extracted_from_destinations() {
        assert_eq!(
            destination_domain("https://user@News.Example.com:443/a?b"),
            "news.example.com"
        );
        assert_eq!(destination_domain("bob@example.com"), "example.com");
        assert_eq!(destination_domain("mailto:bob@example.org"), "example.org");
        assert_eq!(destination_domain("reuters.com"), "reuters.com");
        assert_eq!(destination_domain("http://[::1]:8080/"), "::1");
    }
}
