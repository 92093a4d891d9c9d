package catalogue

// Quote is one sentence (or table row) of a rule's source, word for word:
// the words the rule enforces and its level rests on.
type Quote struct {
	// Source is where the words stand: "RFC 7644 3.12", "RFC 7644 3.12
	// (Table 8)", a section of Dynatrace's SCIM page ("seed: FAQ"), or an
	// IdP page with its anchor.
	Source string
	// Text is the sentence as its source writes it. RFC line breaks are
	// joined with single spaces; the seed's markdown (bold, backticks,
	// link targets) is dropped and its words kept.
	Text string
}

// SeedObligationWords are the plain words that make a sentence of
// Dynatrace's page an obligation of the service: the page is written for
// administrators, not in RFC 2119 terms, so a MUST rule of profile
// dynatrace must quote a sentence holding one of these (case-insensitive).
// "supports", "will", "you can" and "need to" state what Dynatrace does
// or lets its users do, which a Dynatrace-compatible service must do too;
// the others state a requirement or a limit outright.
var SeedObligationWords = []string{
	"must", "required", "requires", "need to", "only", "cannot", "can't",
	"up to", "at least one", "will", "supports", "you can", "ignored",
}

// Sources of quotes that are not the rule's own source.
const (
	rfc7644s312       = "RFC 7644 3.12"
	rfc7643s7         = "RFC 7643 7"
	scimTypeOpt       = "scimType A SCIM detail error keyword. See Table 9. OPTIONAL."
	etagHeader        = "Service providers MAY support weak ETags as the preferred mechanism for performing conditional retrievals and ensuring that clients do not inadvertently overwrite each other's changes, respectively. When supported, SCIM ETags MUST be specified as an HTTP header and SHOULD be specified within the 'version' attribute contained in the resource's 'meta' attribute."
	ifMatch412        = "An origin server MUST NOT perform the requested method if a received If-Match condition evaluates to false; instead, the origin server MUST respond with either a) the 412 (Precondition Failed) status code or b) one of the 2xx (Successful) status codes"
	immutablePut      = "immutable If one or more values are already set for the attribute, the input value(s) MUST match, or HTTP status code 400 SHOULD be returned with a \"scimType\" error code of \"mutability\". If the service provider has no existing values, the new value(s) SHALL be applied."
	cursorInvalid     = "If a service provider encounters invalid pagination query parameters (invalid cursor value, count value, etc), or other error conditions, the service provider SHOULD return the appropriate HTTP response status code and detailed JSON error response as defined in Section 3.12 of [RFC7644]."
	errorsInBody      = "In addition to returning an HTTP response code, implementers MUST return the errors in the body of the response in a JSON format, using the attributes described below."
	createConflict    = "If the service provider determines that the creation of the requested resource conflicts with existing resources (e.g., a \"User\" resource with a duplicate \"userName\"), the service provider MUST return HTTP status code 409 (Conflict) with a \"scimType\" error code of \"uniqueness\", as per Section 3.12."
	deletedNoConflict = "For example, if a User resource is deleted, a CREATE request for a User resource with the same userName as the previously deleted resource SHOULD NOT fail with a 409 error due to userName conflict."
	deleted404        = "Service providers MAY choose not to permanently delete the resource, but MUST return a 404 (Not Found) error code for all operations associated with the previously deleted resource."
	patchResponse     = "On successful completion, the server either MUST return a 200 OK response code and the entire resource within the response body, subject to the \"attributes\" query parameter (see Section 3.9), or MAY return HTTP status code 204 (No Content) and the appropriate response headers for a successful PATCH request."
	seedAttrs         = "Required and supported SCIM attributes:"
	// Where Dynatrace's page is silent the project decides (README.md);
	// a decision is not the page, so it holds a rule at SHOULD at most.
	decisionSilent = "decision: README, How the mock answers where Dynatrace's page is silent"
	decisionMgmt   = "decision: README, Management API (/mock/v1)"
)

// quotes holds, per rule ID, the words the rule enforces. Every sentence
// here was looked up in a public copy of its source, not written from
// memory; TestQuotes holds each rule's level to its words.
var quotes = map[string][]Quote{
	// RFC 7643 / 7644 / 9865.
	"RFC-AUTH": {
		{"RFC 7644 3.12 (Table 8, 401)", "Authorization failure. The authorization header is invalid or missing."},
		// RFC 7644 builds on HTTP authentication (section 2); the MUST of a
		// 401 is HTTP's.
		{"RFC 7235 3.1", "A server generating a 401 (Unauthorized) response MUST send a WWW-Authenticate header field containing at least one challenge"},
	},
	"RFC-BULK": {
		{"RFC 7644 3.7.4", "The service provider MUST define the maximum number of operations and maximum payload size a client may send in a single request."},
		{"RFC 7644 3.7.4", "If either limit is exceeded, the service provider MUST return HTTP response code 413 (Payload Too Large). The returned response MUST specify the limit exceeded in the body of the error response."},
		{"RFC 7643 5", "bulk A complex type that specifies bulk configuration options. See Section 3.7 of [RFC7644]. REQUIRED."},
		{"RFC 7643 5", "maxOperations An integer value specifying the maximum number of operations. REQUIRED."},
		{"RFC 7643 5", "maxPayloadSize An integer value specifying the maximum payload size in bytes. REQUIRED."},
	},
	"RFC-CONCURRENCY": {
		{"RFC 7644 3.3", createConflict},
	},
	"RFC-CONTENT-TYPE": {
		{"RFC 7644 8.1", "The \"application/scim+json\" media type is intended to identify JSON structure data that conforms to the SCIM protocol and schema specifications."},
	},
	"RFC-CREATE": {
		{"RFC 7644 3.3", "When the service provider successfully creates the new resource, an HTTP response SHALL be returned with HTTP status code 201 (Created)."},
		{"RFC 7644 3.3", "The URI of the created resource SHALL include, in the HTTP \"Location\" header and the HTTP body, a JSON representation [RFC7159] with the attribute \"meta.location\"."},
	},
	"RFC-CREATE-BODY": {
		{"RFC 7644 3.3", "The response body SHOULD contain the service provider's representation of the newly created resource."},
		// Why the attributes sent are held at SHOULD, not higher.
		{"RFC 7644 3.3", "Since the server is free to alter and/or ignore POSTed content, returning the full representation can be useful to the client"},
	},
	"RFC-CURSOR": {
		{"RFC 9865 2", "Service providers supporting cursor-based pagination MUST include `nextCursor` in all paged query responses except when returning the last page."},
		{"RFC 7644 3.4.2", "itemsPerPage The number of resources returned in a list response page. REQUIRED when partial results are returned due to pagination."},
	},
	"RFC-CURSOR-INVALID": {
		{"RFC 9865 2", cursorInvalid},
	},
	"RFC-DELETE": {
		{"RFC 7644 3.6", "In response to a successful DELETE, the server SHALL return a successful HTTP status code 204 (No Content)."},
		{"RFC 7644 3.6", deleted404},
	},
	"RFC-DELETE-CONFLICT": {
		{"RFC 7644 3.6", "In addition, the service provider SHOULD NOT consider the deleted resource in conflict calculation."},
		{"RFC 7644 3.6", deletedNoConflict},
	},
	"RFC-DISCOVERY": {
		{"RFC 7643 5", "patch A complex type that specifies PATCH configuration options. REQUIRED. See Section 3.5.2 of [RFC7644]."},
		{"RFC 7643 5", "filter A complex type that specifies FILTER options. REQUIRED. See Section 3.4.2.2 of [RFC7644]."},
		{"RFC 7643 6", "schema The resource type's primary/base schema URI, e.g., \"urn:ietf:params:scim:schemas:core:2.0:User\". This MUST be equal to the \"id\" attribute of the associated \"Schema\" resource. REQUIRED."},
		{"RFC 7643 6", "endpoint The resource type's HTTP-addressable endpoint relative to the Base URL of the service provider, e.g., \"Users\". REQUIRED."},
		{"RFC 7643 7", "id The unique URI of the schema. When applicable, service providers MUST specify the URI, e.g., \"urn:ietf:params:scim:schemas:core:2.0:User\"."},
		// What the rule does not demand: a boolean needs no uniqueness.
		{"RFC 7643 2.3.2", "A boolean has no case sensitivity or uniqueness."},
	},
	"RFC-ERROR-BODY": {
		{rfc7644s312, errorsInBody},
		{rfc7644s312, "status The HTTP status code (see Section 6 of [RFC7231]) expressed as a JSON string. REQUIRED."},
		// What the rule does not demand in general: scimType.
		{rfc7644s312, scimTypeOpt},
	},
	"RFC-ERROR-SCIMTYPE": {
		// Why the rule is at MAY: the keywords are optional, and Tables 8
		// and 9 describe what a status and a keyword mean, they demand
		// neither.
		{rfc7644s312, scimTypeOpt},
		{"RFC 7644 3.12 (Table 8, 400)", "Request is unparsable, syntactically incorrect, or violates schema."},
		{"RFC 7644 3.12 (Table 9, invalidSyntax)", "The request body message structure was invalid or did not conform to the request schema."},
		{"RFC 7644 3.12 (Table 9, invalidValue)", "A required value was missing, or the value specified was not compatible with the operation or attribute type (see Section 2.2 of [RFC7643]), or resource schema (see Section 4 of [RFC7643])."},
		{"RFC 7644 3.12 (Table 9, invalidFilter)", "The specified filter syntax was invalid (does not comply with Figure 1), or the specified attribute and filter comparison combination is not supported."},
		{"RFC 7644 3.5.2.2", "If \"path\" is unspecified, the operation fails with HTTP status code 400 and a \"scimType\" error code of \"noTarget\"."},
		// A SHOULD held here at MAY: no switch can fail it on the mock,
		// whose schemas have no immutable attribute a client sets.
		{"RFC 7644 3.5.1", immutablePut},
	},
	"RFC-ETAG": {
		{"RFC 7644 3.14", etagHeader},
		// RFC 7644 3.14 names RFC 7232 for If-Match; the MUST of a 412 is HTTP's.
		{"RFC 7232 3.1", ifMatch412},
		{"RFC 7644 3.14", "If the service provider supports versioning of resources, the client MAY supply an If-Match header (Section 3.1 of [RFC7232]) for PUT and PATCH operations to ensure that the requested operation succeeds only if the supplied ETag matches the latest service provider resource, e.g., If-Match: W/\"e180ee84f0671b1\"."},
	},
	"RFC-ETAG-CONDITIONAL": {
		// Described, not demanded: hence MAY.
		{"RFC 7644 3.14", "If the resource has not changed, the service provider simply returns an empty body with a 304 (Not Modified) response code."},
		// RFC 7644 3.14 names If-Match for PUT and PATCH only; a server
		// that evaluates it on DELETE is held to HTTP's rule.
		{"RFC 7232 3.1", ifMatch412},
	},
	"RFC-ETAG-VERSION": {
		{"RFC 7644 3.14", etagHeader},
	},
	"RFC-FILTER": {
		{"RFC 7644 3.4.2.2", "Filtering is an OPTIONAL parameter for SCIM service providers."},
		{"RFC 7644 3.4.2.2", "When specified, only those resources matching the filter expression SHALL be returned."},
		{"RFC 7644 3.4.2.2", "Filters MUST be evaluated using the following order of operations, in order of precedence:"},
		{"RFC 7644 3.4.2.2", "If the specified attribute in a filter expression is a multi-valued attribute, the filter matches if any of the values of the specified attribute match the specified criterion; e.g., if a User has multiple \"emails\" values, only one has to match for the entire User to match."},
	},
	"RFC-FILTER-CASE": {
		{"RFC 7644 3.4.2.2", "Attribute names and attribute operators used in filters are case insensitive."},
		{"RFC 7644 3.4.2.2", "When comparing attributes of type String, the case sensitivity for String type attributes SHALL be determined by the attribute's \"caseExact\" characteristic (see Section 2.2 of [RFC7643])."},
		{rfc7643s7, "caseExact A Boolean value that specifies whether or not a string attribute is case sensitive. The server SHALL use case sensitivity when evaluating filters."},
	},
	"RFC-FILTER-EMPTY": {
		{"RFC 7644 3.4.2", "Responses MUST be identified using the following URI: \"urn:ietf:params:scim:api:messages:2.0:ListResponse\"."},
		{"RFC 7644 3.4.2", "totalResults The total number of results returned by the list or query operation. The value may be larger than the number of resources returned, such as when returning a single page (see Section 3.4.2.4) of results where multiple pages are available. REQUIRED."},
		{"RFC 7644 3.4.2", "Resources A multi-valued list of complex objects containing the requested resources. This MAY be a subset of the full set of resources if pagination (Section 3.4.2.4) is requested. REQUIRED if \"totalResults\" is non-zero."},
	},
	"RFC-FILTER-INVALID": {
		{"RFC 7644 3.4.2.2", "Providers MUST decline to filter results if the specified filter operation is not recognized and return an HTTP 400 error with a \"scimType\" error of \"invalidFilter\" and an appropriate human-readable response as per Section 3.12."},
		{"RFC 7644 3.12 (Table 9, invalidFilter)", "The specified filter syntax was invalid (does not comply with Figure 1), or the specified attribute and filter comparison combination is not supported."},
		{rfc7644s312, errorsInBody},
	},
	"RFC-GET": {
		{"RFC 7644 3.4.1", "If the resource exists, the server responds with HTTP status code 200 (OK) and includes the result in the body of the response."},
		{"RFC 7643 3.1", "Each representation of the resource MUST include a non-empty \"id\" value."},
		{"RFC 7643 3.1", "It MUST be a stable, non-reassignable identifier that does not change when the same resource is returned in subsequent requests."},
		{"RFC 7644 3.4", "By default, resource attributes returned in a response are those attributes whose characteristic \"returned\" setting is \"always\" or \"default\" (see Section 2.2 of [RFC7643])."},
	},
	"RFC-GROUP-MEMBERS": {
		{"RFC 7643 4.2", "members A list of members of the Group. While values MAY be added or removed, sub-attributes of members are \"immutable\"."},
		{"RFC 7643 4.1.2", "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated."},
		{"RFC 7643 4.1.2", "If the SCIM service provider exposes a \"Group\" resource, the \"value\" sub-attribute MUST be the \"id\", and the \"$ref\" sub-attribute must be the URI of the corresponding \"Group\" resources to which the user belongs. Since this attribute has a mutability of \"readOnly\", group membership changes MUST be applied via the \"Group\" Resource (Section 4.2)."},
	},
	"RFC-HTTP-METHOD": {
		// Nothing in SCIM demands 405 or 501 for a method an endpoint
		// lacks (404 is as good): hence MAY.
		{rfc7644s312, "The SCIM protocol uses the HTTP response status codes defined in Section 6 of [RFC7231] to indicate operation success or failure."},
		{"RFC 7644 3.12 (Table 8, 501)", "Service provider does not support the request operation, e.g., PATCH."},
	},
	"RFC-HTTP-STATUS": {
		{rfc7644s312, "The SCIM protocol uses the HTTP response status codes defined in Section 6 of [RFC7231] to indicate operation success or failure."},
		{"RFC 7644 3.12 (Table 8, 501)", "Service provider does not support the request operation, e.g., PATCH."},
		{rfc7644s312, errorsInBody},
	},
	"RFC-MALFORMED": {
		{"RFC 7644 3.12 (Table 8, 400)", "Request is unparsable, syntactically incorrect, or violates schema."},
		{rfc7644s312, errorsInBody},
		{rfc7644s312, scimTypeOpt},
	},
	"RFC-META": {
		{"RFC 7644 3.3", "The URI of the created resource SHALL include, in the HTTP \"Location\" header and the HTTP body, a JSON representation [RFC7159] with the attribute \"meta.location\"."},
	},
	"RFC-MUTABILITY": {
		{"RFC 7644 3.3", "In the request body, attributes whose mutability is \"readOnly\" (see Sections 2.2 and 7 of [RFC7643]) SHALL be ignored."},
		{"RFC 7644 3.5.1", "readOnly Any values provided SHALL be ignored."},
		{"RFC 7644 3.5.1", immutablePut},
		{rfc7643s7, "immutable The attribute MAY be defined at resource creation (e.g., POST) or at record replacement via a request (e.g., a PUT). The attribute SHALL NOT be updated."},
		{"RFC 7644 3.5.2", "Each operation against an attribute MUST be compatible with the attribute's mutability and schema as defined in Sections 2.2 and 2.3 of [RFC7643]. For example, a client MUST NOT modify an attribute that has mutability \"readOnly\" or \"immutable\". However, a client MAY \"add\" a value to an \"immutable\" attribute if the attribute had no previous value. An operation that is not compatible with an attribute's mutability or schema SHALL return the appropriate HTTP response status code and a JSON detail error response as defined in Section 3.12."},
	},
	"RFC-PAGING": {
		{"RFC 7644 3.4.2.4", "startIndex The 1-based index of the first query result. A value less than 1 SHALL be interpreted as 1."},
		{"RFC 7644 3.4.2.4", "count Non-negative integer. Specifies the desired maximum number of query results per page, e.g., 10. A negative value SHALL be interpreted as \"0\". A value of \"0\" indicates that no resource results are to be returned except for \"totalResults\"."},
		{"RFC 7644 3.4.2.4", "When specified, the service provider MUST NOT return more results than specified, although it MAY return fewer results. If unspecified, the maximum number of results is set by the service provider."},
	},
	"RFC-PAGING-MAX": {
		{"RFC 7644 3.4.2.4", "When specified, the service provider MUST NOT return more results than specified, although it MAY return fewer results."},
		{"RFC 7643 5", "maxResults An integer value specifying the maximum number of resources returned in a response. REQUIRED."},
	},
	"RFC-PATCH": {
		{"RFC 7644 3.5.2", patchResponse},
		{"RFC 7644 3.5.2", "The server MUST return a 200 OK if the \"attributes\" parameter is specified in the request."},
	},
	"RFC-PATCH-ATOMIC": {
		{"RFC 7644 3.5.2", "A PATCH request, regardless of the number of operations, SHALL be treated as atomic. If a single operation encounters an error condition, the original SCIM resource MUST be restored, and a failure status SHALL be returned."},
	},
	"RFC-PATCH-NOTARGET": {
		{"RFC 7644 3.5.2.3", "If the target location is a multi-valued attribute for which a value selection filter (\"valuePath\") has been supplied and no record match was made, the service provider SHALL indicate failure by returning HTTP status code 400 and a \"scimType\" error code of \"noTarget\"."},
		{"RFC 7644 3.5.2.2", "If \"path\" is unspecified, the operation fails with HTTP status code 400 and a \"scimType\" error code of \"noTarget\"."},
		{"RFC 7644 3.5.2", "An operation that is not compatible with an attribute's mutability or schema SHALL return the appropriate HTTP response status code and a JSON detail error response as defined in Section 3.12."},
	},
	"RFC-PATCH-PATHS": {
		{"RFC 7644 3.5.2.3", "If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are replaced."},
		{"RFC 7644 3.5.2.2", "If the target location is a single-value attribute, the attribute and its associated value is removed, and the attribute SHALL be considered unassigned."},
	},
	"RFC-PROJECTION": {
		{"RFC 7644 3.9", "Clients MAY request a partial resource representation on any operation that returns a resource within the response by specifying either of the mutually exclusive URL query parameters \"attributes\" or \"excludedAttributes\", as follows: attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter."},
		{"RFC 7644 3.9", "excludedAttributes When specified, each resource returned MUST contain the minimum set of resource attributes."},
		{"RFC 7644 3.4.2.5", "This parameter SHALL have no effect on attributes whose schema \"returned\" setting is \"always\"."},
	},
	"RFC-REPLACE": {
		{"RFC 7644 3.5.1", "readWrite, writeOnly Any values provided SHALL replace the existing attribute values."},
		// What the rule does not demand: an omitted attribute may be kept.
		{"RFC 7644 3.5.1", "Attributes whose mutability is \"readWrite\" that are omitted from the request body MAY be assumed to be not asserted by the client. The service provider MAY assume that any existing values are to be cleared, or the service provider MAY assign a default value to the final resource representation."},
		{"RFC 7644 3.5.1", "Unless otherwise specified, a successful PUT operation returns a 200 OK response code and the entire resource within the response body, enabling the client to correlate the client's and the service provider's views of the updated resource."},
	},
	"RFC-RETURNED": {
		{rfc7643s7, "never The attribute is never returned."},
		{"RFC 7643 4.1.1", "The cleartext value or the hashed value of a password SHALL NOT be returnable by a service provider."},
		{"RFC 7644 3.4.2.5", "This parameter SHALL have no effect on attributes whose schema \"returned\" setting is \"always\"."},
	},
	"RFC-SCHEMAS": {
		{"RFC 7643 3", "The \"schemas\" attribute for a resource MUST only contain values defined as \"schema\" and \"schemaExtensions\" for the resource's defined \"resourceType\"."},
		{"RFC 7644 3.12 (Table 9, invalidValue)", "A required value was missing, or the value specified was not compatible with the operation or attribute type (see Section 2.2 of [RFC7643]), or resource schema (see Section 4 of [RFC7643])."},
	},
	"RFC-SEARCH": {
		{"RFC 7644 3.4.3", "Clients MAY execute queries without passing parameters on the URL by using the HTTP POST verb combined with the \"/.search\" path extension. The inclusion of \"/.search\" on the end of a valid SCIM endpoint SHALL be used to indicate that the HTTP POST verb is intended to be a query operation."},
	},
	"RFC-SORT": {
		{"RFC 7644 3.4.2.3", "sortBy A string indicating the attribute whose value SHALL be used to order the returned responses."},
		{"RFC 7643 5", "sort A complex type that specifies Sort configuration options. REQUIRED."},
	},
	"RFC-UNIQUENESS": {
		{"RFC 7644 3.3", createConflict},
		{rfc7643s7, "uniqueness A single keyword value that specifies how the service provider enforces uniqueness of attribute values. A server MAY reject an invalid value based on uniqueness by returning HTTP response code 400 (Bad Request)."},
	},

	// Dynatrace's SCIM page (the seed).
	"DT-OPS": {
		{seedReq, "Dynatrace supports SCIM 2.0 and GET, POST, PATCH, PUT, and DELETE operations for both User and Group resources."},
	},
	"DT-AUTH": {
		{seedReq, "For authentication, SCIM requires Bearer token in Authorization header."},
		{seedToken, "Dynatrace SCIM supports Bearer Token Authentication only."},
		{rfc7644s312, errorsInBody},
	},
	"DT-AUTH-SCOPE": {
		{seedToken, "Use this procedure to get the Dynatrace SCIM Base URL for your account and create a secret token."},
		{seedReq, "SCIM is configured for the account and domain scopes."},
		{decisionSilent, "A token opens only its own account; another account's URL answers 401."},
	},
	"DT-TOKEN-CAP": {
		{seedFAQ, "You can generate up to 10 SCIM authentication tokens."},
	},
	"DT-TOKEN-ONCE": {
		{seedToken, "The token is revealed only once during generation time."},
	},
	"DT-TOKEN-DESC": {
		{seedToken, "In the Generate new token section, optionally enter a token Description (or you can add a description for the token later)."},
	},
	"DT-TOKEN-REVOKE": {
		{seedFAQ, "For security reasons, we strongly recommend that you delete all unused tokens."},
		{decisionMgmt, "revoke at once"},
	},
	"DT-DOMAIN-TXT": {
		{seedDomain, "Before you can proceed with SCIM configuration, you need to prove ownership of the domain. Verification is based on a DNS TXT Record check."},
		{seedDomain, "In some cases, it may take up to 24 hours."},
	},
	"DT-DOMAIN-MULTI": {
		{seedDomain, "If users in your organization use more than one domain to sign in (for example, @mycompanyname.com and @uk.mycompanyname.com), you can add additional domains in additional rows and start verifying them all in parallel."},
		{seedFAQ, "You can verify multiple domains for a single account."},
	},
	"DT-DOMAIN-REQUIRED": {
		{seedReq, "At least one domain ownership verification is required for the account."},
	},
	"DT-DOMAIN-SHARED": {
		{seedDomain, "For the account, it is sufficient to verify the domain once. If a domain has been verified for SAML, it will be valid for SCIM as well."},
	},
	"DT-USER-EMAIL": {
		{seedReq, seedAttrs},
		{seedReq, "| userName | email format |"},
		{seedLimits, "Requests will be rejected due to invalid username (in SCIM it is email)"},
	},
	"DT-USER-DOMAIN": {
		{seedLimits, "Dynatrace will only accept users with domains, which were verified within the account"},
		{seedReq, "Only users whose email domains have been verified for ownership can be synchronized with Dynatrace via SCIM."},
	},
	"DT-USER-REQUIRED": {
		{seedReq, seedAttrs},
		{seedReq, "| name.givenName | string |"},
		{seedReq, "| name.familyName | string |"},
		{seedReq, "| active | boolean |"},
	},
	"DT-USER-EMAIL-IMMUTABLE": {
		{seedFAQ, "No, an email address can't be changed by SCIM. Any requests to update an email address are ignored."},
		{seedReq, "userName must be persistent. Dynatrace does not support user email change."},
	},
	"DT-USER-DISABLE": {
		{seedBenefits, "if a user is disabled or removed from the IdP, it will also disable the user in Dynatrace"},
	},
	"DT-USER-DELETE": {
		{"RFC 7644 3.6", deleted404},
		{seedBenefits, "if a user is disabled or removed from the IdP, it will also disable the user in Dynatrace"},
	},
	"DT-USER-REPROVISION": {
		{"RFC 7644 3.6", deletedNoConflict},
		{seedFAQ, "Yes, you can restart SCIM synchronization."},
	},
	"DT-USER-LIMIT": {
		{seedLimits, "A user cannot be assigned to an account if the account has already reached its maximum number of assigned users."},
	},
	"DT-GROUP-TYPE": {
		{seedBenefits, "All groups created by SCIM will be of type SCIM in Account Management"},
	},
	"DT-GROUP-LOCKED": {
		{seedLimits, "Groups of type SCIM are managed by SCIM only and cannot be removed or modified through Account Management"},
		{seedLimits, "Permissions to SCIM groups still have to be assigned manually in Dynatrace"},
	},
	"DT-GROUP-UNIQUE": {
		{seedFAQ, "For Dynatrace SSO, however, each group name in an account must be unique."},
		{"RFC 7644 3.3", createConflict},
	},
	"DT-GROUP-NODESC": {
		{seedFAQ, "No, we're limited by the SCIM protocol specification, so additional fields, such as description, can't be set during provisioning."},
	},
	"DT-GROUP-MEMBERS": {
		{seedBenefits, "Users will be assigned to groups in Dynatrace mirroring the relationship within the IdP"},
	},
	"DT-GROUP-PER-USER": {
		{seedLimits, "A user cannot be added to a group if they have already reached the maximum number of groups they can be assigned to."},
	},
	"DT-GROUP-LIMIT": {
		// The page names limits of users per account and groups per user,
		// not of groups per account.
		{decisionSilent, "Limits reached (users 10,000, groups 5,000 LOCAL and SCIM together, 8,000 groups per user, 1,000 permissions per group, all configurable): 400 with a detail naming the limit."},
	},

	// What Entra ID and Okta send: the pages' words as fixtures/idp
	// copies them (a sentence, or the heading of the documented request).
	"IDP-ENTRA-TEST-CONNECTION": {
		{entraTutorial + " #get-user-by-query---zero-results", "Microsoft Entra ID makes requests to fetch a random user and group to ensure that the endpoint and the credentials are valid. It's also done as a part of the Test Connection flow."},
	},
	"IDP-ENTRA-USER-LIFECYCLE": {
		{entraTutorial + " #get-user", "The detail isn't required, only status"},
		{entraTutorial + " #get-user-by-query", "Get User by query"},
	},
	"IDP-ENTRA-USER-UPDATE": {
		{entraTutorial + " #update-user-multi-valued-properties", "Update User [Multi-valued properties]"},
	},
	"IDP-ENTRA-DISABLE": {
		{entraCompliance + " #flags-to-alter-the-scim-behavior", "Requests made to disable users, without the feature flag"},
		{entraTutorial, "restoring the user active=true"},
	},
	"IDP-ENTRA-OPTSCIM": {
		{entraCompliance + " #flags-to-alter-the-scim-behavior", "Requests to replace multiple attributes, with the feature flag"},
		{entraCompliance + " #flags-to-alter-the-scim-behavior", "Requests made to remove a group member, with the feature flag"},
	},
	"IDP-ENTRA-GROUPS": {
		{entraTutorial + " #update-group-add-members", "Update Group [Add Members]"},
		{entraTutorial + " #update-group-remove-members", "Update Group [Remove Members]"},
		{entraTutorial + " #get-group-by-displayname", "Get Group by displayName with excludedAttributes=members"},
	},
	"IDP-OKTA-CONNECTOR-TEST": {
		{oktaTests, "Test API Credentials"},
	},
	"IDP-OKTA-USER-PUSH": {
		{oktaReference + " #create-the-user", "the Service Provider needs to respond with an error schema to stop the provisioning job"},
	},
	"IDP-OKTA-USER-UPDATE": {
		{oktaReference + " #retrieve-the-user", "Retrieve the User"},
		{oktaReference + " #update-the-user", "Update the User"},
	},
	"IDP-OKTA-DEACTIVATE": {
		{oktaReference + " #to-app", "Okta can also reactivate the user account"},
		{oktaReference + " #delete-users", "this request is sent through a PUT method request"},
	},
	"IDP-OKTA-GROUP-PUSH": {
		{oktaReference + " #update-specific-group-membership", "Update specific Group membership"},
	},
	"IDP-OKTA-GROUP-RENAME": {
		{oktaReference + " #update-a-specific-group-name", "Update a specific Group name"},
	},
}
