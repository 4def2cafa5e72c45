module example.com/gencode

go 1.22
