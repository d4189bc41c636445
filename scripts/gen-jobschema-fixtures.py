#!/usr/bin/env python3
# Writes fixtures/jobschema-api-to-{ad,entra}.json: illustrative synchronization schemas of
# API-driven inbound jobs, built from the documented shape (not captured from a tenant).
# Run from the repository root: python3 scripts/gen-jobschema-fixtures.py
import json
ENT="urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CUS="urn:ietf:params:scim:schemas:extension:contoso:1.0:User"
def attr(name, typ="String", anchor=False, required=False, multivalued=False, flownull=False, maxlen=None, ref=None):
    a={"name":name,"type":typ,"anchor":anchor,"caseExact":False,"defaultValue":None,"flowNullValues":flownull,
       "multivalued":multivalued,"mutability":"ReadWrite","required":required,"apiExpressions":[],"metadata":[],
       "referencedObjects":[]}
    if maxlen: a["metadata"]=[{"key":"MaximumLength","value":str(maxlen)}]
    if ref: a["referencedObjects"]=[{"referencedObjectName":ref,"referencedProperty":None}]
    return a
src_attrs=[attr("externalId",anchor=True,required=True),attr("userName"),attr("active","Boolean"),attr("displayName"),
  attr("name.givenName"),attr("name.familyName"),attr("title"),attr("userType"),attr("preferredLanguage"),
  attr('emails[type eq "work"].value'),attr('phoneNumbers[type eq "work"].value'),attr('phoneNumbers[type eq "mobile"].value'),
  attr('addresses[type eq "work"].streetAddress'),attr('addresses[type eq "work"].locality'),attr('addresses[type eq "work"].postalCode'),
  attr('addresses[type eq "work"].country'),
  attr(ENT+":employeeNumber"),attr(ENT+":department",flownull=True),attr(ENT+":division"),attr(ENT+":costCenter"),attr(ENT+":organization"),
  attr(ENT+":manager","Reference",ref="User"),
  attr(CUS+":hireDate","DateTime"),attr(CUS+":workerType")]
def m(target, src, flow="Always", matching=0, default=None):
    return {"targetAttributeName":target,"defaultValue":default,"exportMissingReferences":False,"flowBehavior":"FlowWhenChanged",
            "flowType":flow,"matchingPriority":matching,"source":src}
def A(name): return {"type":"Attribute","name":name,"expression":"["+name+"]","parameters":[]}
def C(v): return {"type":"Constant","name":v,"expression":json.dumps(v),"parameters":[]}
def F(name, expr): return {"type":"Function","name":name,"expression":expr,"parameters":[]}
def clause(op, name, values): return {"operatorName":op,"sourceOperandName":name,"targetOperand":{"values":values}}
om_meta=[{"key":"IsCustomerDefined","value":"false"},{"key":"Disposition","value":"\"Normal\""},{"key":"EscrowBehavior","value":"\"Default\""}]
OU="OU=Users,OU=Contoso,DC=contoso,DC=com"
sam=('SelectUniqueValue(ToLower(Mid(Join(".", NormalizeDiacritics(StripSpaces([name.givenName])), '
     'NormalizeDiacritics(StripSpaces([name.familyName]))), 1, 20)), ToLower(Join("", "u", [externalId])))')
pdn=('Switch([%s:department], "%s", "Sales", "OU=Sales,%s", "Engineering", "OU=Engineering,%s", "IT", "OU=IT,%s")'%(ENT,OU,OU,OU,OU))
ad_maps=[
 m("employeeID",A("externalId"),matching=1),
 m("sAMAccountName",F("SelectUniqueValue",sam),"ObjectAddOnly"),
 m("userPrincipalName",A("userName"),"ObjectAddOnly"),
 m("accountDisabled",F("Switch",'Switch([active], "True", "True", "False", "False", "True")')),
 m("parentDistinguishedName",F("Switch",pdn)),
 m("cn",F("Join",'Join(" ", [name.givenName], [name.familyName])'),"ObjectAddOnly"),
 m("displayName",A("displayName")),
 m("givenName",A("name.givenName")),
 m("sn",A("name.familyName")),
 m("initials",{"type":"Function","name":"Mid","expression":"Mid([name.givenName], 1, 1)","parameters":[
   {"key":"source","value":A("name.givenName")},{"key":"start","value":{"type":"Constant","name":"1","expression":"\"1\"","parameters":[]}},
   {"key":"length","value":{"type":"Constant","name":"1","expression":"\"1\"","parameters":[]}}]}),
 m("title",A("title")),
 m("department",A(ENT+":department")),
 m("division",A(ENT+":division")),
 m("company",A(ENT+":organization")),
 m("mail",A('emails[type eq "work"].value')),
 m("telephoneNumber",A('phoneNumbers[type eq "work"].value')),
 m("mobile",A('phoneNumbers[type eq "mobile"].value')),
 m("streetAddress",A('addresses[type eq "work"].streetAddress')),
 m("l",A('addresses[type eq "work"].locality')),
 m("postalCode",A('addresses[type eq "work"].postalCode')),
 m("c",A('addresses[type eq "work"].country')),
 m("manager",A(ENT+":manager")),
 m("employeeType",A(CUS+":workerType")),
 m("extensionAttribute1",F("FormatDateTime",'FormatDateTime([%s:hireDate], , "yyyy-MM-ddTHH:mm:ssZ", "yyyyMMdd")'%CUS),default="NONE"),
 m("extensionAttribute2",A(ENT+":costCenter")),
 m("description",C("Provisioned from HR by API-driven inbound provisioning")),
]
ad_scope={"categoryFilterGroups":[],"inputFilterGroups":[],"groups":[
  {"name":"Employees","clauses":[clause("EQUALS",CUS+":workerType",["Employee"])]},
  {"name":"Contractors in engineering and IT","clauses":[clause("EQUALS",CUS+":workerType",["Contractor"]),
     clause("IS NOT NULL",ENT+":costCenter",[]),clause("REGEX MATCH",ENT+":costCenter",["^(ENG|ITS)-[0-9]+$"])]}]}
ad_target=[attr("objectGUID","Binary",anchor=True),attr("employeeID",maxlen=16),attr("sAMAccountName",maxlen=20),attr("userPrincipalName",maxlen=1024),
  attr("accountDisabled","Boolean"),attr("parentDistinguishedName"),attr("cn",maxlen=64),attr("displayName",maxlen=256),attr("givenName",maxlen=64),
  attr("sn",maxlen=64),attr("initials",maxlen=6),attr("title",maxlen=128),attr("department",maxlen=64),attr("division",maxlen=256),attr("company",maxlen=64),
  attr("mail",maxlen=256),attr("telephoneNumber",maxlen=64),attr("mobile",maxlen=64),attr("streetAddress",maxlen=1024),attr("l",maxlen=128),
  attr("postalCode",maxlen=40),attr("c",maxlen=2),attr("manager","Reference",ref="user"),attr("employeeType",maxlen=256),
  attr("extensionAttribute1",maxlen=1024),attr("extensionAttribute2",maxlen=1024),attr("description",maxlen=1024)]
def schema(jobid, version, tdir, tobj, tattrs, maps, scope, rulename):
    return {"id":jobid,"version":version,"directories":[
      {"id":"11111111-1111-4111-8111-111111111111","name":"API","discoverabilities":"AttributeNames","discoveryDateTime":None,"readOnly":False,"version":None,
       "metadata":[],"objects":[{"name":"User","metadata":[],"supportedApis":[],"attributes":src_attrs}]},
      {"id":"22222222-2222-4222-8222-222222222222","name":tdir,"discoverabilities":"AttributeNames, AttributeDataTypes","discoveryDateTime":None,"readOnly":False,"version":None,
       "metadata":[],"objects":[{"name":tobj,"metadata":[],"supportedApis":[],"attributes":tattrs}]}],
     "synchronizationRules":[{"id":"33333333-3333-4333-8333-333333333333","name":rulename,"editable":True,"priority":1,
       "sourceDirectoryName":"API","targetDirectoryName":tdir,"metadata":[],
       "objectMappings":[{"name":"Provision API users to "+tdir,"enabled":True,"flowTypes":"Add, Update, Delete",
         "sourceObjectName":"User","targetObjectName":tobj,"metadata":om_meta,"scope":scope,"attributeMappings":maps}]}]}
ad=schema("API2AD.00112233445566778899aabbccddeeff.0a1b2c3d-0000-4000-8000-000000000001","illustrative-1","Active Directory","user",ad_target,ad_maps,ad_scope,"API_TO_AD_ILLUSTRATIVE")
entra_maps=[
 m("employeeId",A("externalId"),matching=1),
 m("accountEnabled",F("Switch",'Switch([active], "False", "True", "True", "False", "False")')),
 m("userPrincipalName",A("userName"),"ObjectAddOnly"),
 m("mailNickname",F("Replace",'Replace([userName], , "(?<Suffix>@(.)*)", "Suffix", "", , )'),"ObjectAddOnly"),
 m("displayName",A("displayName")),
 m("givenName",A("name.givenName")),
 m("surname",A("name.familyName")),
 m("jobTitle",A("title")),
 m("department",A(ENT+":department")),
 m("companyName",A(ENT+":organization")),
 m("mail",A('emails[type eq "work"].value')),
 m("telephoneNumber",A('phoneNumbers[type eq "work"].value')),
 m("mobile",A('phoneNumbers[type eq "mobile"].value')),
 m("streetAddress",A('addresses[type eq "work"].streetAddress')),
 m("city",A('addresses[type eq "work"].locality')),
 m("postalCode",A('addresses[type eq "work"].postalCode')),
 m("country",A('addresses[type eq "work"].country')),
 m("usageLocation",A('addresses[type eq "work"].country')),
 m("manager",A(ENT+":manager")),
 m("employeeType",A(CUS+":workerType")),
 m("employeeHireDate",A(CUS+":hireDate")),
 m("EmployeeOrgData.division",A(ENT+":division")),
 m("EmployeeOrgData.costCenter",A(ENT+":costCenter")),
]
entra_scope={"categoryFilterGroups":[],"inputFilterGroups":[],"groups":[
  {"name":"Employees and contractors","clauses":[clause("IS NOT NULL","externalId",[]),clause("NOT EQUALS",CUS+":workerType",["Intern"])]}]}
entra_target=[attr("objectId",anchor=True),attr("employeeId",maxlen=16),attr("accountEnabled","Boolean"),attr("userPrincipalName",maxlen=113),attr("mailNickname",maxlen=64),
  attr("displayName",maxlen=256),attr("givenName",maxlen=64),attr("surname",maxlen=64),attr("jobTitle",maxlen=128),attr("department",maxlen=64),
  attr("companyName",maxlen=64),attr("mail"),attr("telephoneNumber",maxlen=64),attr("mobile",maxlen=64),attr("streetAddress",maxlen=1024),attr("city",maxlen=128),
  attr("postalCode",maxlen=40),attr("country",maxlen=128),attr("usageLocation",maxlen=2),attr("manager","Reference",ref="User"),attr("employeeType"),
  attr("employeeHireDate","DateTime"),attr("EmployeeOrgData.division"),attr("EmployeeOrgData.costCenter")]
entra=schema("API2AAD.00112233445566778899aabbccddeeff.0a1b2c3d-0000-4000-8000-000000000002","illustrative-1","Azure Active Directory","User",entra_target,entra_maps,entra_scope,"API_TO_AAD_ILLUSTRATIVE")
for name,doc in [("jobschema-api-to-ad.json",ad),("jobschema-api-to-entra.json",entra)]:
    open("fixtures/"+name,"w").write(json.dumps(doc,indent=2,ensure_ascii=False)+"\n")
