package doctor

func (c *checker) dockerignore()    {}
func (c *checker) compose(b []byte) {}
func (c *checker) code()            {}
