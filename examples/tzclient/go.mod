module example.com/tzclient

go 1.26
