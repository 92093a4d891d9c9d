package mockcontainer_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/testcontainers/testcontainers-go"

	"github.com/scimconf/scimconf/mockcontainer"
)

// Start the mock in a container, provision a user through SCIM as a
// connector would, and check through the management API what account
// management sees. It needs a Docker engine and the image (`make image`),
// so it is compiled but not run by go test; TestRunCreateGetAndManage runs
// the same steps.
func ExampleRun() {
	ctx := context.Background()
	mock, err := mockcontainer.Run(ctx, mockcontainer.DefaultImage, // scimconf/scimconf:dev
		mockcontainer.WithSchema("dynatrace"), // or "full": RFC 7643's User, EnterpriseUser, Group
		mockcontainer.WithRules("dynatrace"),  // or "rfc": a plain SCIM 2.0 server
		mockcontainer.WithLimits(mockcontainer.Limits{MaxUsers: 100}),
		mockcontainer.WithViolations("ignore-if-match"), // break one behaviour on purpose
		testcontainers.WithEnv(map[string]string{"SCIMCONF_MAX_RESULTS": "50"}),
	)
	defer mock.Terminate(ctx) // nil-safe: fine before the error check
	if err != nil {
		log.Fatal(err)
	}

	// Your connector gets mock.SCIMBaseURL and mock.SCIMToken; here a
	// plain request stands in for it.
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":"jane@` + mock.VerifiedDomain + `",
		"name":{"givenName":"Jane","familyName":"Doe"},"active":true}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, mock.SCIMBaseURL+"/Users", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+mock.SCIMToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("POST /Users:", resp.StatusCode)

	users, err := mock.Admin.Users(ctx, mock.AccountID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("account management sees:", users[0].Email, users[0].Status)
}
