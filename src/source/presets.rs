//! Starter source files for the HR systems people ask for, with the vendor's endpoint, auth and
//! paging filled in. What only the user knows (host, tenant, credentials) is a `${VARIABLE}` or a
//! `*_env` name, marked `# SET`, so the file works unchanged once the environment is set.

/// One vendor's starter: the source file and the column names its records flatten to (declared
/// in the file as `records.columns`, and the header of the starter mapping `init` writes).
pub struct Preset {
    pub name: &'static str,
    pub title: &'static str,
    toml: &'static str,
    pub columns: &'static [&'static str],
}

impl Preset {
    /// The source file's text: the vendor's settings, then the columns its records can have.
    pub fn source_file(&self) -> String {
        let names: Vec<String> = self.columns.iter().map(|c| format!("  \"{c}\",")).collect();
        format!(
            "{}# The columns the mapping may use (NULL when a record lacks one); add the ones you need.\nrecords.columns = [\n{}\n]\n",
            self.toml,
            names.join("\n")
        )
    }
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "bamboohr",
        title: "BambooHR (custom report, all employees)",
        toml: r#"# BambooHR: a custom report of every employee (active and inactive), one response, no paging.
# Auth: the API key as the Basic user name with "x" as password (BambooHR's scheme).
version = 1
# SET: BAMBOOHR_COMPANY is your company's subdomain (https://<company>.bamboohr.com).
request.url = "https://api.bamboohr.com/api/gateway.php/${BAMBOOHR_COMPANY}/v1/reports/custom?format=JSON&onlyCurrent=false"
request.method = "POST"
request.body = '''{"title":"hr2scim","fields":["id","employeeNumber","firstName","lastName","preferredName","workEmail","jobTitle","department","division","location","status","hireDate","terminationDate","supervisorEId","workPhone","mobilePhone"]}'''
# SET: BAMBOOHR_API_KEY holds the API key (or use key_file = "/path/to/key").
auth = { type = "api_key_basic", key_env = "BAMBOOHR_API_KEY" }
records.path = "employees"
limits = { max_pages = 1, max_records = 200000 }
"#,
        columns: &[
            "id",
            "employeeNumber",
            "firstName",
            "lastName",
            "preferredName",
            "workEmail",
            "jobTitle",
            "department",
            "division",
            "location",
            "status",
            "hireDate",
            "terminationDate",
            "supervisorEId",
            "workPhone",
            "mobilePhone",
        ],
    },
    Preset {
        name: "adp",
        title: "ADP Workforce Now (workers v2)",
        toml: r#"# ADP Workforce Now: /hr/v2/workers, 100 workers a page ($top/$skip), 204 after the last page.
# Auth: OAuth2 client credentials AND the client certificate ADP signed for you (mutual TLS),
# on the token call and on every data call.
version = 1
request.url = "https://api.adp.com/hr/v2/workers"
auth.type = "oauth2_client_credentials"
auth.token_url = "https://accounts.adp.com/auth/oauth/v2/token"
# SET: ADP_CLIENT_ID and ADP_CLIENT_SECRET from ADP's developer portal.
auth.client_id_env = "ADP_CLIENT_ID"
auth.client_secret_env = "ADP_CLIENT_SECRET"
auth.client_auth = "basic"
# SET: the certificate ADP signed from your CSR, and its private key.
auth.tls_client = { cert_file = "/etc/hr2scim/adp.pem", key_file = "/etc/hr2scim/adp.key" }
records.path = "workers"
paging = { strategy = "offset", offset_param = "$skip", limit_param = "$top", page_size = 100, end_statuses = [204] }
limits = { max_pages = 2000, max_records = 200000 }
"#,
        columns: &[
            "associateOID",
            "workerID.idValue",
            "person.legalName.givenName",
            "person.legalName.familyName1",
            "person.legalName.formattedName",
            "businessCommunication.emails.0.emailUri",
            "workerStatus.statusCode.codeValue",
            "workerDates.originalHireDate",
            "workerDates.terminationDate",
            "workAssignments.0.jobTitle",
            "workAssignments.0.homeOrganizationalUnits.0.nameCode.shortName",
            "workAssignments.0.reportsTo.0.workerID.idValue",
        ],
    },
    Preset {
        name: "oracle-hcm",
        title: "Oracle Fusion Cloud HCM (workers)",
        toml: r#"# Oracle HCM Cloud: the workers resource, 200 a page (offset/limit) until hasMore is false.
# REST-Framework-Version 1 keeps expanded children as arrays (names.0.FirstName).
version = 1
# SET: ORACLE_HCM_HOST is your pod, e.g. abcd.fa.us2.oraclecloud.com
request.url = "https://${ORACLE_HCM_HOST}/hcmRestApi/resources/11.13.18.05/workers"
request.query = { onlyData = "true", expand = "names,emails,workRelationships.assignments" }
request.headers = { "REST-Framework-Version" = "1" }
# SET: an integration user with PER_REST_SERVICE_ACCESS_WORKERS_RO_PRIV.
auth = { type = "basic", username_env = "ORACLE_HCM_USER", password_env = "ORACLE_HCM_PASSWORD" }
records.path = "items"
paging = { strategy = "offset", offset_param = "offset", limit_param = "limit", page_size = 200, has_more_path = "hasMore" }
limits = { max_pages = 2000, max_records = 200000 }
"#,
        columns: &[
            "PersonId",
            "PersonNumber",
            "names.0.FirstName",
            "names.0.LastName",
            "names.0.DisplayName",
            "emails.0.EmailAddress",
            "workRelationships.0.StartDate",
            "workRelationships.0.TerminationDate",
            "workRelationships.0.assignments.0.AssignmentStatusType",
            "workRelationships.0.assignments.0.DepartmentName",
            "workRelationships.0.assignments.0.JobCode",
            "workRelationships.0.assignments.0.LocationName",
        ],
    },
    Preset {
        name: "workday",
        title: "Workday (RaaS custom report in JSON)",
        toml: r#"# Workday: an Advanced custom report enabled as a web service (RaaS), the whole report in one
# response. Copy the URL from the report's Actions > Web Service > View URLs (JSON).
# Auth: HTTP Basic as an Integration System User with access to the report.
version = 1
# SET: WORKDAY_HOST (e.g. wd2-impl-services1.workday.com), WORKDAY_TENANT, the report owner and name.
request.url = "https://${WORKDAY_HOST}/ccx/service/customreport2/${WORKDAY_TENANT}/${WORKDAY_REPORT_OWNER}/${WORKDAY_REPORT}?format=json"
auth = { type = "basic", username_env = "WORKDAY_ISU_USER", password_env = "WORKDAY_ISU_PASSWORD" }
records.path = "Report_Entry"
limits = { max_pages = 1, max_records = 200000 }
"#,
        columns: &[
            "Employee_ID",
            "First_Name",
            "Last_Name",
            "Preferred_Name",
            "Email_Work",
            "Business_Title",
            "Supervisory_Organization",
            "Manager_Employee_ID",
            "Hire_Date",
            "Termination_Date",
            "Active_Status",
        ],
    },
    Preset {
        name: "successfactors",
        title: "SAP SuccessFactors (OData v2 User)",
        toml: r#"# SAP SuccessFactors: the OData v2 User entity with its manager, 1000 a page, following d.__next.
# Auth: Basic as user@companyId. SAP's supported route is OAuth 2.0 SAML bearer, which hr2scim
# does not do yet, and SAP has announced the retirement of Basic auth: see the README.
version = 1
# SET: SF_API_HOST is your data centre's API server, e.g. api4.successfactors.com
request.url = "https://${SF_API_HOST}/odata/v2/User"
request.query = { "$format" = "json", "$expand" = "manager", "$select" = "userId,username,firstName,lastName,displayName,email,department,division,title,hireDate,status,manager/userId" }
# SET: SF_USER is user@companyId.
auth = { type = "basic", username_env = "SF_USER", password_env = "SF_PASSWORD" }
paging = { strategy = "odata" }
limits = { max_pages = 1000, max_records = 200000 }
"#,
        columns: &[
            "userId",
            "username",
            "firstName",
            "lastName",
            "displayName",
            "email",
            "department",
            "division",
            "title",
            "hireDate",
            "status",
            "manager.userId",
        ],
    },
];

/// The preset called `name`.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_a_valid_source_file_once_its_variables_are_set() {
        for var in [
            "BAMBOOHR_COMPANY",
            "ORACLE_HCM_HOST",
            "WORKDAY_HOST",
            "WORKDAY_TENANT",
            "WORKDAY_REPORT_OWNER",
            "WORKDAY_REPORT",
            "SF_API_HOST",
        ] {
            std::env::set_var(var, "x");
        }
        for p in PRESETS {
            let spec =
                super::super::spec::parse(&p.source_file(), p.name, std::path::Path::new("."))
                    .unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert_eq!(spec.columns, p.columns, "{}", p.name);
            assert!(spec.url.starts_with("https://"), "{}", p.name);
            assert!(p.toml.contains("# SET"), "{} marks what to set", p.name);
        }
        assert!(find("Oracle-HCM").is_some() && find("peoplesoft").is_none());
    }
}
