//! URL policy (HTTPS, loopback excepted) and resolution of the Entra bulkUpload endpoint.

use reqwest::Url;

use super::options::TargetOptions;
use super::UploadError;

/// Parses a URL and refuses plain http unless the host is a loopback address.
///
/// URLs with a user name or password are refused: they would be echoed into the target name,
/// the journal and the summary; credentials go in --token-env, --token-file or the Azure ones.
pub fn check_url(url: &str) -> Result<Url, UploadError> {
    let parsed = Url::parse(url.trim()).map_err(|e| {
        UploadError::Config(format!("'{}' is not a valid URL ({e}).", without_userinfo(url)))
    })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        let mut shown = parsed.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(UploadError::Config(format!(
            "refusing the URL {shown} given with a user name or password in it (user:password@): \
             credentials in URLs end up in logs and the journal. Remove them and pass the token \
             with --token-env or --token-file (SCIM) or the Azure credential options (Entra)."
        )));
    }
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        _ => Err(UploadError::InsecureUrl(url.to_string())),
    }
}

/// The text of a URL that did not parse, with anything that may be `user:password@` cut out.
fn without_userinfo(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let authority_end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    match url[start..authority_end].rfind('@') {
        Some(at) => format!("{}***@{}", &url[..start], &url[start + at + 1..]),
        None => url.to_string(),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// The resolved pieces of an Entra provisioning job.
#[derive(Debug, Clone, PartialEq)]
pub struct EntraEndpoint {
    pub bulk_url: Url,
    /// Graph origin plus version, e.g. `https://graph.microsoft.com/beta`.
    pub graph_versioned: String,
    pub service_principal: String,
    pub job_id: String,
    /// OAuth scope for the Graph origin (`https://graph.microsoft.com/.default`).
    pub scope: String,
}

/// From `--endpoint`, or from `--graph-url` + `--service-principal` + `--job-id`.
pub fn resolve_entra(args: &TargetOptions) -> Result<EntraEndpoint, UploadError> {
    if let Some(endpoint) = &args.endpoint {
        let url = check_url(endpoint)?;
        let segs: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
        let segs: Vec<&str> = segs.into_iter().filter(|s| !s.is_empty()).collect();
        let shape_ok = segs.len() == 7
            && (segs[0] == "v1.0" || segs[0] == "beta")
            && segs[1].eq_ignore_ascii_case("servicePrincipals")
            && segs[3].eq_ignore_ascii_case("synchronization")
            && segs[4].eq_ignore_ascii_case("jobs")
            && segs[6].eq_ignore_ascii_case("bulkUpload");
        if !shape_ok {
            return Err(UploadError::Config(format!(
                "--endpoint '{endpoint}' does not look like a Provisioning API Endpoint; expected \
                 https://graph.microsoft.com/{{v1.0|beta}}/servicePrincipals/{{id}}/synchronization/jobs/{{jobId}}/bulkUpload as shown in the portal."
            )));
        }
        let origin = url.origin().ascii_serialization();
        return Ok(EntraEndpoint {
            graph_versioned: format!("{origin}/{}", segs[0]),
            service_principal: segs[2].to_string(),
            job_id: segs[5].to_string(),
            scope: format!("{origin}/.default"),
            bulk_url: url,
        });
    }
    let (Some(sp), Some(job)) = (&args.service_principal, &args.job_id) else {
        return Err(UploadError::Config(
            "no Entra endpoint given: pass --endpoint URL (the portal's Provisioning API Endpoint) \
             or both --service-principal ID and --job-id ID."
                .into(),
        ));
    };
    let graph = check_url(&args.graph_url)?;
    let origin = graph.origin().ascii_serialization();
    let version = match graph.path().trim_matches('/') {
        "" | "v1.0" => "v1.0",
        "beta" => "beta",
        other => {
            return Err(UploadError::Config(format!(
                "--graph-url path '{other}' is unexpected; give only the host, e.g. https://graph.microsoft.us."
            )))
        }
    };
    let graph_versioned = format!("{origin}/{version}");
    let bulk = format!(
        "{graph_versioned}/servicePrincipals/{}/synchronization/jobs/{}/bulkUpload",
        enc(sp),
        enc(job)
    );
    Ok(EntraEndpoint {
        bulk_url: check_url(&bulk)?,
        graph_versioned,
        service_principal: sp.clone(),
        job_id: job.clone(),
        scope: format!("{origin}/.default"),
    })
}

/// Percent-encodes a path segment (ids are normally safe; this guards against typos with '/').
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `{login}/{tenant}/oauth2/v2.0/token`.
pub fn token_url(args: &TargetOptions) -> Result<Url, UploadError> {
    let tenant = args.tenant_id.as_deref().filter(|t| !t.trim().is_empty()).ok_or_else(|| {
        UploadError::Config(
            "no tenant id: pass --tenant-id or set AZURE_TENANT_ID (the Directory (tenant) ID of \
             the app registration)."
                .into(),
        )
    })?;
    let login = args.login_url.trim_end_matches('/');
    check_url(&format!("{login}/{}/oauth2/v2.0/token", enc(tenant.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Options as the flags `--endpoint URL`, `--graph-url URL`, `--service-principal ID` and
    /// `--job-id ID` set them.
    fn args(extra: &[&str]) -> TargetOptions {
        let mut t = TargetOptions::default();
        for pair in extra.chunks(2) {
            let value = Some(pair[1].to_string());
            match pair[0] {
                "--endpoint" => t.endpoint = value,
                "--graph-url" => t.graph_url = pair[1].to_string(),
                "--service-principal" => t.service_principal = value,
                "--job-id" => t.job_id = value,
                flag => panic!("not a flag of these tests: {flag}"),
            }
        }
        t
    }

    #[test]
    fn only_https_or_loopback_is_allowed() {
        assert!(check_url("https://graph.microsoft.com/x").is_ok());
        assert!(check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(check_url("http://127.8.0.1/x").is_ok());
        assert!(check_url("http://[::1]:9/x").is_ok());
        assert!(check_url("http://localhost:9/x").is_ok());
        let err = check_url("http://graph.example.com/x").unwrap_err();
        assert!(matches!(err, UploadError::InsecureUrl(_)));
        assert!(err.to_string().contains("only https://"));
        assert!(check_url("http://10.0.0.1/x").is_err());
        assert!(check_url("ftp://127.0.0.1/x").is_err());
    }

    #[test]
    fn urls_with_credentials_are_refused_without_echoing_the_password() {
        for url in [
            "https://user:pw-S3CRET@graph.microsoft.com/beta/x",
            "https://pw-S3CRET@graph.microsoft.com/x",
            "http://admin:pw-S3CRET@127.0.0.1:8080/scim",
            "https://:pw-S3CRET@host/x",
        ] {
            let err = check_url(url).unwrap_err().to_string();
            assert!(err.contains("user name or password"), "{err}");
            assert!(!err.contains("pw-S3CRET"), "{err}");
        }
        // Unparseable URLs are echoed, but not their user info.
        let err = check_url("https://u:pw-S3CRET@ho st/x").unwrap_err().to_string();
        assert!(err.contains("not a valid URL") && !err.contains("pw-S3CRET"), "{err}");
        assert_eq!(without_userinfo("https://a@b/c@d"), "https://***@b/c@d");
        assert_eq!(without_userinfo("https://b/c@d"), "https://b/c@d");
        let graph = args(&[
            "--graph-url",
            "https://u:pw-S3CRET@graph.microsoft.us",
            "--service-principal",
            "sp",
            "--job-id",
            "job",
        ]);
        assert!(!resolve_entra(&graph).unwrap_err().to_string().contains("pw-S3CRET"));
    }

    #[test]
    fn portal_endpoint_is_split_into_its_parts() {
        let a = args(&["--endpoint", "https://graph.microsoft.com/beta/servicePrincipals/sp-1/synchronization/jobs/API2AAD.ab.cd/bulkUpload"]);
        let e = resolve_entra(&a).unwrap();
        assert_eq!(e.service_principal, "sp-1");
        assert_eq!(e.job_id, "API2AAD.ab.cd");
        assert_eq!(e.graph_versioned, "https://graph.microsoft.com/beta");
        assert_eq!(e.scope, "https://graph.microsoft.com/.default");
        let bad = args(&["--endpoint", "https://graph.microsoft.com/v1.0/users"]);
        assert!(resolve_entra(&bad).unwrap_err().to_string().contains("Provisioning API Endpoint"));
    }

    #[test]
    fn ids_and_national_cloud_build_the_url() {
        let a = args(&[
            "--graph-url",
            "https://graph.microsoft.us",
            "--service-principal",
            "sp",
            "--job-id",
            "job",
        ]);
        let e = resolve_entra(&a).unwrap();
        assert_eq!(
            e.bulk_url.as_str(),
            "https://graph.microsoft.us/v1.0/servicePrincipals/sp/synchronization/jobs/job/bulkUpload"
        );
        assert!(resolve_entra(&args(&[])).unwrap_err().to_string().contains("--job-id"));
    }
}
