module example.com/webtmpl

go 1.24
