package schema

import (
	"fmt"
	"sort"
	"strings"
)

// Schema URNs of RFC 7643.
const (
	UserURN           = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupURN          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

type option func(*Attribute)

var (
	required       option = func(a *Attribute) { a.Required = true }
	caseExact      option = func(a *Attribute) { a.CaseExact = true }
	multi          option = func(a *Attribute) { a.MultiValued = true }
	readOnly       option = func(a *Attribute) { a.Mutability = ReadOnly }
	immutable      option = func(a *Attribute) { a.Mutability = Immutable }
	writeOnly      option = func(a *Attribute) { a.Mutability = WriteOnly }
	returnedAlways option = func(a *Attribute) { a.Returned = Always }
	returnedNever  option = func(a *Attribute) { a.Returned = Never }
	unique         option = func(a *Attribute) { a.Uniqueness = Server }
	nonEmpty       option = func(a *Attribute) { a.NonEmpty = true }
)

func desc(s string) option { return func(a *Attribute) { a.Description = s } }

func canonical(v ...string) option { return func(a *Attribute) { a.CanonicalValues = v } }

func refTypes(v ...string) option { return func(a *Attribute) { a.ReferenceTypes = v } }

// attr builds an attribute with RFC 7643 section 2.2's defaults, then opts.
func attr(name string, t Type, opts ...option) *Attribute {
	a := &Attribute{Name: name, Type: t, Mutability: ReadWrite, Returned: Default, Uniqueness: None}
	for _, o := range opts {
		o(a)
	}
	return a
}

func complexAttr(name string, subs []*Attribute, opts ...option) *Attribute {
	a := attr(name, Complex, opts...)
	a.SubAttributes = subs
	// RFC 7643 section 7: sub-attributes of a read-only attribute are
	// read-only too.
	if a.Mutability == ReadOnly {
		for _, s := range subs {
			s.Mutability = ReadOnly
		}
	}
	return a
}

// multiComplex builds the usual multi-valued complex attribute with value,
// display, type and primary sub-attributes (RFC 7643 section 2.4).
func multiComplex(name, what string, types []string, valueType Type, opts ...option) *Attribute {
	subs := []*Attribute{
		attr("value", valueType, desc(what+" for the User.")),
		attr("display", String, desc("A human-readable name, primarily used for display purposes.")),
		attr("type", String, canonical(types...), desc("A label indicating the attribute's function.")),
		attr("primary", Boolean, desc("A Boolean value indicating the 'primary' or preferred attribute value for this attribute.")),
	}
	if types == nil {
		subs[2].CanonicalValues = nil
	}
	return complexAttr(name, subs, append([]option{multi}, opts...)...)
}

// ByName returns the schema set with the given name: "dynatrace" or "full".
// Each call builds fresh values, so a caller may change them (a violation
// switch, for example) without touching another server's set.
func ByName(name string) (*Set, error) {
	switch strings.ToLower(name) {
	case "dynatrace", "":
		return Dynatrace(), nil
	case "full":
		return Full(), nil
	}
	return nil, fmt.Errorf("unknown schema set %q: use \"dynatrace\" or \"full\"", name)
}

// Names lists the schema sets ByName knows.
func Names() []string { return []string{"dynatrace", "full"} }

func groupsAttr() *Attribute {
	return complexAttr("groups", []*Attribute{
		attr("value", String, caseExact, desc("The identifier of the User's group.")),
		attr("$ref", Reference, caseExact, refTypes("User", "Group"), desc("The URI of the corresponding 'Group' resource to which the user belongs.")),
		attr("display", String, desc("A human-readable name, primarily used for display purposes.")),
		attr("type", String, canonical("direct", "indirect"), desc("A label indicating the attribute's function, e.g., 'direct' or 'indirect'.")),
	}, multi, readOnly, desc("A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated."))
}

func membersAttr() *Attribute {
	return complexAttr("members", []*Attribute{
		attr("value", String, caseExact, immutable, desc("Identifier of the member of this Group.")),
		attr("$ref", Reference, caseExact, immutable, refTypes("User", "Group"), desc("The URI corresponding to a SCIM resource that is a member of this Group.")),
		attr("display", String, readOnly, desc("A human-readable name for the member.")),
		attr("type", String, immutable, canonical("User", "Group"), desc("A label indicating the type of resource, e.g., 'User' or 'Group'.")),
	}, multi, desc("A list of members of the Group."))
}

func userType(core *Schema, exts []*Schema) *ResourceType {
	rt := &ResourceType{ID: "User", Name: "User", Endpoint: "/Users", Description: "User Account", Core: core, Extensions: exts}
	rt.ExtensionRequired = make([]bool, len(exts))
	return rt
}

func groupType(core *Schema) *ResourceType {
	return &ResourceType{ID: "Group", Name: "Group", Endpoint: "/Groups", Description: "Group", Core: core}
}

// Dynatrace returns the schema set Dynatrace documents: a User with
// userName (an email), name.givenName, name.familyName and active, all
// required, plus displayName and externalId, which Dynatrace's Entra ID
// mapping sends, and the read-only groups; a Group with displayName and
// members.
func Dynatrace() *Set {
	user := &Schema{ID: UserURN, Name: "User", Description: "User Account", Attributes: []*Attribute{
		attr("userName", String, required, unique, nonEmpty, desc("Unique identifier for the User: an email address on a domain verified in the account.")),
		complexAttr("name", []*Attribute{
			attr("givenName", String, required, desc("The given name of the User.")),
			attr("familyName", String, required, desc("The family name of the User.")),
		}, required, desc("The components of the user's real name.")),
		attr("displayName", String, desc("The name of the User, suitable for display to end-users.")),
		attr("active", Boolean, required, desc("A Boolean value indicating the User's administrative status; false disables the user.")),
		groupsAttr(),
	}}
	group := &Schema{ID: GroupURN, Name: "Group", Description: "Group", Attributes: []*Attribute{
		attr("displayName", String, required, unique, desc("A human-readable name for the Group, unique in the account.")),
		membersAttr(),
	}}
	return &Set{
		Name:          "dynatrace",
		ResourceTypes: []*ResourceType{userType(user, nil), groupType(group)},
		Schemas:       []*Schema{user, group},
	}
}

// Full returns RFC 7643's core User with the EnterpriseUser extension and
// the core Group, as section 8.7.1 defines them.
func Full() *Set {
	user := &Schema{ID: UserURN, Name: "User", Description: "User Account", Attributes: []*Attribute{
		attr("userName", String, required, unique, nonEmpty, desc("Unique identifier for the User, typically used by the user to directly authenticate to the service provider.")),
		complexAttr("name", []*Attribute{
			attr("formatted", String, desc("The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.")),
			attr("familyName", String, desc("The family name of the User.")),
			attr("givenName", String, desc("The given name of the User.")),
			attr("middleName", String, desc("The middle name(s) of the User.")),
			attr("honorificPrefix", String, desc("The honorific prefix(es) of the User.")),
			attr("honorificSuffix", String, desc("The honorific suffix(es) of the User.")),
		}, desc("The components of the user's real name.")),
		attr("displayName", String, desc("The name of the User, suitable for display to end-users.")),
		attr("nickName", String, desc("The casual way to address the user in real life.")),
		attr("profileUrl", Reference, refTypes("external"), desc("A fully qualified URL pointing to a page representing the User's online profile.")),
		attr("title", String, desc("The user's title, such as \"Vice President\".")),
		attr("userType", String, desc("Used to identify the relationship between the organization and the user.")),
		attr("preferredLanguage", String, desc("Indicates the User's preferred written or spoken language.")),
		attr("locale", String, desc("Used to indicate the User's default location for purposes of localizing items.")),
		attr("timezone", String, desc("The User's time zone in the 'Olson' time zone database format.")),
		attr("active", Boolean, desc("A Boolean value indicating the User's administrative status.")),
		attr("password", String, writeOnly, returnedNever, desc("The User's cleartext password.")),
		multiComplex("emails", "Email addresses", []string{"work", "home", "other"}, String, desc("Email addresses for the user.")),
		multiComplex("phoneNumbers", "Phone number", []string{"work", "home", "mobile", "fax", "pager", "other"}, String, desc("Phone numbers for the User.")),
		multiComplex("ims", "Instant messaging address", []string{"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"}, String, desc("Instant messaging addresses for the User.")),
		multiComplex("photos", "URL of a photo", []string{"photo", "thumbnail"}, Reference, desc("URLs of photos of the User.")),
		complexAttr("addresses", []*Attribute{
			attr("formatted", String, desc("The full mailing address, formatted for display.")),
			attr("streetAddress", String, desc("The full street address component.")),
			attr("locality", String, desc("The city or locality component.")),
			attr("region", String, desc("The state or region component.")),
			attr("postalCode", String, desc("The zip code or postal code component.")),
			attr("country", String, desc("The country name component.")),
			attr("type", String, canonical("work", "home", "other"), desc("A label indicating the attribute's function.")),
			attr("primary", Boolean, desc("A Boolean value indicating the 'primary' or preferred attribute value for this attribute.")),
		}, multi, desc("A physical mailing address for this User.")),
		groupsAttr(),
		multiComplex("entitlements", "The value of an entitlement", nil, String, desc("A list of entitlements for the User that represent a thing the User has.")),
		multiComplex("roles", "The value of a role", nil, String, desc("A list of roles for the User that collectively represent who the User is.")),
		multiComplex("x509Certificates", "The value of an X.509 certificate", nil, Binary, desc("A list of certificates issued to the User.")),
	}}
	enterprise := &Schema{ID: EnterpriseUserURN, Name: "EnterpriseUser", Description: "Enterprise User", Attributes: []*Attribute{
		attr("employeeNumber", String, desc("Numeric or alphanumeric identifier assigned to a person.")),
		attr("costCenter", String, desc("Identifies the name of a cost center.")),
		attr("organization", String, desc("Identifies the name of an organization.")),
		attr("division", String, desc("Identifies the name of a division.")),
		attr("department", String, desc("Identifies the name of a department.")),
		complexAttr("manager", []*Attribute{
			attr("value", String, caseExact, desc("The id of the SCIM resource representing the User's manager.")),
			attr("$ref", Reference, caseExact, refTypes("User"), desc("The URI of the SCIM resource representing the User's manager.")),
			attr("displayName", String, readOnly, desc("The displayName of the User's manager.")),
		}, desc("The User's manager.")),
	}}
	group := &Schema{ID: GroupURN, Name: "Group", Description: "Group", Attributes: []*Attribute{
		attr("displayName", String, required, unique, desc("A human-readable name for the Group.")),
		membersAttr(),
	}}
	return &Set{
		Name:          "full",
		ResourceTypes: []*ResourceType{userType(user, []*Schema{enterprise}), groupType(group)},
		Schemas:       []*Schema{user, group, enterprise},
	}
}

// AttributeNames lists every attribute path of rt, "name" and "name.sub",
// core first, extension paths URN-qualified, sorted: for error details that
// tell the client what it could have said.
func (rt *ResourceType) AttributeNames() []string {
	var out []string
	add := func(prefix string, attrs []*Attribute) {
		for _, a := range attrs {
			out = append(out, prefix+a.Name)
			for _, s := range a.SubAttributes {
				out = append(out, prefix+a.Name+"."+s.Name)
			}
		}
	}
	add("", Common.Attributes)
	add("", rt.Core.Attributes)
	for _, e := range rt.Extensions {
		add(e.ID+":", e.Attributes)
	}
	sort.Strings(out)
	return out
}
