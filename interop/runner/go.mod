module github.com/scimconf/scimconf/interop/runner

go 1.26
