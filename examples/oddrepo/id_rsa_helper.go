package main

// keyHelper lives in a file whose name starts like an SSH key's: the
// .dockerignore must not hide it.
func keyHelper() string { return "id_rsa_helper.go" }
