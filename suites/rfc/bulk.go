package rfc

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// bulkRequest is a BulkRequest with the given operations.
func bulkRequest(failOnErrors int, ops ...map[string]any) map[string]any {
	b := map[string]any{"schemas": []any{scimtest.BulkReqURN}, "Operations": ops}
	if failOnErrors > 0 {
		b["failOnErrors"] = failOnErrors
	}
	return b
}

func bulkPost(endpoint, bulkID string, data map[string]any) map[string]any {
	return map[string]any{"method": "POST", "path": endpoint, "bulkId": bulkID, "data": data}
}

// bulkCleanup removes, at the end of the spec, whatever a bulk request
// created: first by the locations it answered, then by the names it sent
// (for a target that answers without locations).
func bulkCleanup(userNames, groupNames []string) func(r *scimtest.Response) {
	DeferCleanup(func(ctx SpecContext) {
		for _, n := range userNames {
			_, res := T.FindWhere(ctx, "/Users", scimtest.EqFilter("userName", n))
			for _, u := range res {
				T.Client.Delete(ctx, "/Users/"+fmt.Sprint(u["id"]))
			}
		}
		for _, n := range groupNames {
			_, res := T.FindWhere(ctx, "/Groups", scimtest.EqFilter("displayName", n))
			for _, g := range res {
				T.Client.Delete(ctx, "/Groups/"+fmt.Sprint(g["id"]))
			}
		}
	})
	return func(r *scimtest.Response) {
		for _, op := range bulkResults(r) {
			if loc, _ := op["location"].(string); loc != "" && bulkStatus(op) == "201" {
				T.CleanupLater(T.RelativePath(loc))
			}
		}
	}
}

// bulkResults returns a BulkResponse's Operations.
func bulkResults(r *scimtest.Response) []map[string]any {
	arr, _ := scimtest.Path(r.JSON, "Operations").([]any)
	var out []map[string]any
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// bulkStatus is an operation result's status as the string the RFC
// writes ("201"); a number is rendered too, so that the spec checking the
// type can say what it found.
func bulkStatus(op map[string]any) string {
	switch s := scimtest.Path(op, "status").(type) {
	case string:
		return s
	case float64:
		return strconv.Itoa(int(s))
	}
	return ""
}

func bulkResultByID(r *scimtest.Response, bulkID string) map[string]any {
	for _, op := range bulkResults(r) {
		if op["bulkId"] == bulkID {
			return op
		}
	}
	return nil
}

// expectBulkResponse checks the envelope of a processed bulk request.
func expectBulkResponse(r *scimtest.Response) {
	GinkgoHelper()
	Expect(r).To(scimtest.HaveStatus(200))
	Expect(r.MediaType()).To(Equal("application/scim+json"), "RFC 7644 section 3.1:\n%s", r)
	Expect(scimtest.HasStringIn(r.JSON["schemas"], scimtest.BulkRespURN)).To(BeTrue(), "RFC 7644 section 3.7: the answer is a BulkResponse:\n%s", r)
	for _, op := range bulkResults(r) {
		Expect(scimtest.Path(op, "status")).To(BeAssignableToTypeOf(""), "RFC 7644 section 3.7.3: each operation's status is the HTTP status as a string:\n%s", r)
		Expect(op["method"]).NotTo(BeEmpty(), "RFC 7644 section 3.7: each result names its method:\n%s", r)
	}
}

var _ = Describe("Bulk", func() {
	It("fails cleanly when the target declares bulk unsupported", Label("RFC-BULK"), func(ctx SpecContext) {
		if T.Caps.Bulk {
			Skip("the target declares bulk.supported true; the other bulk specs check it")
		}
		T.Caps.SkipUnlessDeclared("bulk.supported")
		u := T.NewUser()
		cleanup := bulkCleanup([]string{u["userName"].(string)}, nil)
		r := T.Client.Post(ctx, "/Bulk", bulkRequest(0, bulkPost("/Users", "u1", u)))
		cleanup(r)
		Expect(r.Status == 501 || r.Status >= 400 && r.Status < 500).To(BeTrue(),
			"RFC 7644 section 3.7: bulk is declared unsupported, so POST /Bulk is refused with 4xx or 501:\n%s", r)
		// The refusal's body is RFC-ERROR-BODY's to judge (every error
		// carries one, RFC 7644 section 3.12), not bulk's.
		Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", u["userName"].(string)))).To(Equal(0), "a refused bulk request creates nothing")
	})

	Context("when the target declares bulk supported", func() {
		BeforeEach(func() {
			if !T.Caps.Bulk {
				Skip(T.Caps.Unsupported("bulk.supported") + "; the spec for that case checks it")
			}
		})

		It("resolves a bulkId referenced before the operation that creates it", Label("RFC-BULK"), func(ctx SpecContext) {
			u, g := T.NewUser(), T.NewGroup("members", []any{map[string]any{"value": "bulkId:u1"}})
			userName, groupName := u["userName"].(string), g["displayName"].(string)
			cleanup := bulkCleanup([]string{userName}, []string{groupName})
			r := T.Client.Post(ctx, "/Bulk", bulkRequest(0, bulkPost("/Groups", "g1", g), bulkPost("/Users", "u1", u)))
			cleanup(r)
			expectBulkResponse(r)
			for _, id := range []string{"g1", "u1"} {
				op := bulkResultByID(r, id)
				Expect(op).NotTo(BeNil(), "RFC 7644 section 3.7: the result of a POST carries its bulkId %q:\n%s", id, r)
				Expect(bulkStatus(op)).To(Equal("201"), "RFC 7644 section 3.7.1: a forward bulkId reference is resolved; both POSTs succeed:\n%s", r)
				Expect(scimtest.IsAbsoluteURL(fmt.Sprint(op["location"]))).To(BeTrue(), "RFC 7644 section 3.7: a created resource's location is returned:\n%s", r)
			}
			user := T.Client.Get(ctx, bulkResultByID(r, "u1")["location"].(string))
			Expect(user).To(scimtest.HaveStatus(200))
			Expect(strings.EqualFold(user.Str("userName"), userName)).To(BeTrue(), "the bulk created the User:\n%s", user)
			group := T.Client.Get(ctx, bulkResultByID(r, "g1")["location"].(string))
			Expect(group).To(scimtest.HaveStatus(200))
			Expect(scimtest.ValueStrings(group.JSON, "members")).To(ConsistOf(user.Str("id")),
				"RFC 7644 section 3.7.2: bulkId:u1 became the created User's id:\n%s", group)
		})

		It("stops processing once failOnErrors errors happened", Label("RFC-BULK"), func(ctx SpecContext) {
			bad, late := T.NewUser("userName", nil), T.NewUser()
			lateName := late["userName"].(string)
			cleanup := bulkCleanup([]string{lateName}, nil)
			r := T.Client.Post(ctx, "/Bulk", bulkRequest(1, bulkPost("/Users", "bad", bad), bulkPost("/Users", "late", late)))
			cleanup(r)
			expectBulkResponse(r)
			op := bulkResultByID(r, "bad")
			Expect(op).NotTo(BeNil(), "RFC 7644 section 3.7.3: the failed operation is reported:\n%s", r)
			Expect(bulkStatus(op)).To(Equal("400"), "a User without userName is refused with 400:\n%s", r)
			resp, _ := scimtest.Path(op, "response").(map[string]any)
			Expect(scimtest.HasStringIn(resp["schemas"], scimtest.ErrorURN)).To(BeTrue(), "RFC 7644 section 3.7.3: a failed operation carries its SCIM error in response:\n%s", r)
			Expect(resp["status"]).To(Equal("400"), "RFC 7644 section 3.12: the error's status is a string:\n%s", r)
			Expect(bulkResultByID(r, "late")).To(BeNil(), "RFC 7644 section 3.7.3: after failOnErrors errors no further operation is processed:\n%s", r)
			Expect(bulkResults(r)).To(HaveLen(1), "only the processed operation is reported:\n%s", r)
			Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", lateName))).To(Equal(0), "the operation after the failure did not run")
		})

		It("goes on past errors when failOnErrors is not given", Label("RFC-BULK"), func(ctx SpecContext) {
			bad, good := T.NewUser("userName", nil), T.NewUser()
			goodName := good["userName"].(string)
			cleanup := bulkCleanup([]string{goodName}, nil)
			r := T.Client.Post(ctx, "/Bulk", bulkRequest(0, bulkPost("/Users", "bad", bad), bulkPost("/Users", "good", good)))
			cleanup(r)
			expectBulkResponse(r)
			Expect(bulkResults(r)).To(HaveLen(2), "RFC 7644 section 3.7.3: without failOnErrors every operation is processed:\n%s", r)
			Expect(bulkStatus(bulkResultByID(r, "bad"))).To(Equal("400"), "the invalid User is refused:\n%s", r)
			Expect(bulkStatus(bulkResultByID(r, "good"))).To(Equal("201"), "the valid User is created despite the earlier error:\n%s", r)
			Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", goodName))).To(Equal(1), "the valid User exists")
		})

		It("runs PUT and DELETE operations", Label("RFC-BULK"), func(ctx SpecContext) {
			kept := T.MustCreate(ctx, "/Users", T.NewUser())
			gone := T.MustCreate(ctx, "/Users", T.NewUser())
			r := T.Client.Post(ctx, "/Bulk", bulkRequest(0,
				map[string]any{"method": "PUT", "path": "/Users/" + kept.Str("id"), "data": T.NewUser("userName", kept.Str("userName"), "name.familyName", "Byron")},
				map[string]any{"method": "DELETE", "path": "/Users/" + gone.Str("id")},
			))
			expectBulkResponse(r)
			results := bulkResults(r)
			Expect(results).To(HaveLen(2), "RFC 7644 section 3.7.3: one result per operation:\n%s", r)
			Expect(bulkStatus(results[0])).To(Equal("200"), "the PUT succeeds:\n%s", r)
			Expect(bulkStatus(results[1])).To(Equal("204"), "the DELETE succeeds:\n%s", r)
			Expect(T.Client.Get(ctx, "/Users/"+kept.Str("id")).Str("name.familyName")).To(Equal("Byron"), "the bulk PUT applied")
			Expect(T.Client.Get(ctx, "/Users/"+gone.Str("id"))).To(scimtest.HaveSCIMError(404, ""), "the bulk DELETE applied")
		})

		It("refuses more operations than bulk.maxOperations with 413 and runs none", Label("RFC-BULK"), func(ctx SpecContext) {
			max := T.Caps.BulkMaxOperations
			if max <= 0 || max > 100000 {
				Skip(fmt.Sprintf("bulk.maxOperations is %d: too large to exceed in a spec", max))
			}
			u := T.NewUser()
			cleanup := bulkCleanup([]string{u["userName"].(string)}, nil)
			ops := []map[string]any{bulkPost("/Users", "first", u)}
			for i := range max {
				ops = append(ops, map[string]any{"method": "DELETE", "path": fmt.Sprintf("/Users/scimconf-no-such-id-%d", i)})
			}
			body := bulkRequest(0, ops...)
			raw, err := json.Marshal(body)
			Expect(err).NotTo(HaveOccurred())
			if size := len(raw); T.Caps.BulkMaxPayloadSize > 0 && size >= T.Caps.BulkMaxPayloadSize {
				Skip(fmt.Sprintf("%d operations do not fit bulk.maxPayloadSize %d, so the two limits cannot be told apart", max+1, T.Caps.BulkMaxPayloadSize))
			}
			r := T.Client.Post(ctx, "/Bulk", raw)
			cleanup(r)
			Expect(r).To(scimtest.HaveSCIMError(413, ""), "RFC 7644 section 3.7.4: more than maxOperations (%d) operations is 413", max)
			Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", u["userName"].(string)))).To(Equal(0), "a refused bulk request runs no operation")
		})

		It("refuses a body larger than bulk.maxPayloadSize with 413 and runs nothing", Label("RFC-BULK"), func(ctx SpecContext) {
			max := T.Caps.BulkMaxPayloadSize
			if max <= 0 || max > 32<<20 {
				Skip(fmt.Sprintf("bulk.maxPayloadSize is %d: too large to exceed in a spec", max))
			}
			u := T.NewUser("externalId", strings.Repeat("x", max))
			cleanup := bulkCleanup([]string{u["userName"].(string)}, nil)
			r := T.Client.Post(ctx, "/Bulk", bulkRequest(0, bulkPost("/Users", "big", u)))
			cleanup(r)
			Expect(r).To(scimtest.HaveSCIMError(413, ""), "RFC 7644 section 3.7.4: a body over maxPayloadSize (%d bytes) is 413", max)
			Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", u["userName"].(string)))).To(Equal(0), "a refused bulk request runs no operation")
		})
	})
})
