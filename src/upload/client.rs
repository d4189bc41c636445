//! The one place that builds HTTP clients: no redirects, and proxies never for loopback/link-local.
//!
//! reqwest's automatic proxy (HTTP_PROXY and friends) also proxies loopback, so a plain-http local
//! target or the managed-identity endpoint (169.254.169.254, App Service's 127.0.0.1 with its
//! X-IDENTITY-HEADER) would hand tokens and users to the proxy in clear text. The decision is
//! therefore made here, with the same variables and NO_PROXY rules, plus a fixed exemption.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::Url;

use super::UploadError;

/// The proxy variables as read once from the environment (either case, upper first).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProxyEnv {
    pub http: Option<String>,
    pub https: Option<String>,
    pub all: Option<String>,
    pub no_proxy: String,
}

impl ProxyEnv {
    pub fn from_env() -> ProxyEnv {
        let get = |names: &[&str]| {
            names.iter().find_map(|n| std::env::var(n).ok()).filter(|v| !v.trim().is_empty())
        };
        // httpoxy: under CGI, HTTP_PROXY can come from a request's "Proxy:" header.
        let cgi = std::env::var_os("REQUEST_METHOD").is_some();
        ProxyEnv {
            http: if cgi { get(&["http_proxy"]) } else { get(&["HTTP_PROXY", "http_proxy"]) },
            https: get(&["HTTPS_PROXY", "https_proxy"]),
            all: get(&["ALL_PROXY", "all_proxy"]),
            no_proxy: get(&["NO_PROXY", "no_proxy"]).unwrap_or_default(),
        }
    }

    /// The proxy URL for a request to `url`, or None to connect directly.
    pub fn proxy_for(&self, url: &Url) -> Option<String> {
        let host = url.host_str()?;
        if is_local(host) || no_proxy_matches(&self.no_proxy, host) {
            return None;
        }
        let specific = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        };
        specific.or(self.all.as_ref()).cloned()
    }
}

/// Loopback and link-local hosts: nothing between us and them may see the traffic.
pub fn is_local(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback() || ip.is_link_local(),
        Ok(IpAddr::V6(ip)) => {
            let mapped = ip.to_ipv4_mapped();
            ip.is_loopback()
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || mapped.is_some_and(|v4| v4.is_loopback() || v4.is_link_local())
        }
        Err(_) => {
            let h = bare.trim_end_matches('.').to_ascii_lowercase();
            h == "localhost" || h.ends_with(".localhost")
        }
    }
}

/// NO_PROXY as curl and reqwest read it: `*`, IPs, CIDR nets, domains matching their subdomains.
fn no_proxy_matches(list: &str, host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let ip = bare.parse::<IpAddr>().ok();
    list.split(',').map(str::trim).filter(|e| !e.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        if let Some(ip) = ip {
            return ip_entry_matches(entry, ip);
        }
        let d = entry.trim_start_matches("*.").trim_start_matches('.');
        let h = bare.trim_end_matches('.');
        h.eq_ignore_ascii_case(d)
            || (h.len() > d.len()
                && h.is_char_boundary(h.len() - d.len())
                && h[h.len() - d.len()..].eq_ignore_ascii_case(d)
                && h.as_bytes()[h.len() - d.len() - 1] == b'.')
    })
}

fn ip_entry_matches(entry: &str, ip: IpAddr) -> bool {
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => match b.parse::<u32>() {
            Ok(b) => (a, Some(b)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let Ok(net) = addr.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

/// A blocking client with the crate's policy: never follow redirects (one could downgrade to
/// plain http or leave the checked host), our user agent, the proxy decision above.
pub fn build(timeout: Duration) -> Result<Client, UploadError> {
    let env = ProxyEnv::from_env();
    // Any explicit proxy turns reqwest's own (loopback-proxying) environment lookup off.
    let proxy = reqwest::Proxy::custom(move |url| env.proxy_for(url));
    Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("hr2scim/", env!("CARGO_PKG_VERSION")))
        .proxy(proxy)
        .build()
        .map_err(|e| UploadError::Config(format!("cannot set up the HTTP client ({e}).")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(no_proxy: &str) -> ProxyEnv {
        ProxyEnv {
            http: Some("http://proxy.corp:3128".into()),
            https: Some("http://sproxy.corp:3128".into()),
            all: None,
            no_proxy: no_proxy.into(),
        }
    }

    fn to(e: &ProxyEnv, url: &str) -> Option<String> {
        e.proxy_for(&Url::parse(url).unwrap())
    }

    #[test]
    fn remote_hosts_use_the_proxy_of_their_scheme() {
        let e = env("");
        assert_eq!(
            to(&e, "https://graph.microsoft.com/x").as_deref(),
            Some("http://sproxy.corp:3128")
        );
        assert_eq!(to(&e, "http://10.0.0.1/x").as_deref(), Some("http://proxy.corp:3128"));
        let all = ProxyEnv { all: Some("socks5://p:1080".into()), ..ProxyEnv::default() };
        assert_eq!(
            to(&all, "https://login.microsoftonline.com/t").as_deref(),
            Some("socks5://p:1080")
        );
        assert_eq!(to(&ProxyEnv::default(), "https://graph.microsoft.com/"), None);
    }

    #[test]
    fn loopback_and_link_local_never_use_a_proxy() {
        let e = ProxyEnv { all: Some("http://p:1".into()), ..env("") };
        for url in [
            "http://127.0.0.1:8080/scim",
            "http://127.8.0.1/x",
            "http://[::1]:9/x",
            "http://localhost:9/x",
            "http://LOCALHOST./x",
            "http://api.localhost/x",
            "http://169.254.169.254/metadata/identity/oauth2/token",
            "http://[fe80::1]/x",
            "http://[::ffff:127.0.0.1]/x",
            "https://127.0.0.1/x",
        ] {
            assert_eq!(to(&e, url), None, "{url}");
        }
        assert!(to(&e, "http://169.255.0.1/x").is_some());
        assert!(to(&e, "http://[fec0::1]/x").is_some());
        assert!(to(&e, "http://localhost.example.com/x").is_some());
    }

    #[test]
    fn no_proxy_exempts_hosts_domains_and_nets() {
        let e = env("internal.corp, .svc.local,10.0.0.0/8, 192.168.1.7,[2001:db8::]/32");
        assert_eq!(to(&e, "https://internal.corp/x"), None);
        assert_eq!(to(&e, "https://scim.internal.corp/x"), None);
        assert!(to(&e, "https://notinternal.corp/x").is_some());
        assert_eq!(to(&e, "https://a.svc.local/x"), None);
        assert_eq!(to(&e, "https://10.2.3.4/x"), None);
        assert!(to(&e, "https://11.2.3.4/x").is_some());
        assert_eq!(to(&e, "https://192.168.1.7/x"), None);
        assert!(to(&e, "https://192.168.1.8/x").is_some());
        assert_eq!(to(&e, "https://[2001:db8::5]/x"), None);
        assert!(to(&e, "https://graph.microsoft.com/x").is_some());
        assert_eq!(to(&env("*"), "https://graph.microsoft.com/x"), None);
    }
}
