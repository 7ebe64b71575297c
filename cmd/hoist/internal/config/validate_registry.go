package config

func (v *validator) registry(p string, r Registry) {
	if err := hostPort(r.Host); err != nil {
		v.add(p+".host", err)
	}
	if (r.CertFile == "") != (r.KeyFile == "") {
		v.addf(p, "set both certFile and keyFile, or neither")
	}
	v.registryAuth(p+".auth", r.Auth)
	v.positive(p+".rateLimit.rps", r.RateLimit.RPS)
	v.positive(p+".rateLimit.burst", float64(r.RateLimit.Burst))
	v.positive(p+".rateLimit.maxConcurrent", float64(r.RateLimit.MaxConcurrent))
}

func (v *validator) registryAuth(p string, a RegistryAuth) {
	user := a.Username != "" || !a.usernameRef().isZero()
	basic := user || !a.password().isZero()
	if a.DockerConfigFile != "" && (basic || !a.token().isZero()) {
		v.addf(p, "set either dockerConfigFile or username/password/token, not both")
	}
	if a.Username != "" && !a.usernameRef().isZero() {
		v.addf(p, "set only one of username, usernameFile and usernameEnv")
	}
	v.oneOf(p, "usernameFile", a.UsernameFile, "usernameEnv", a.UsernameEnv)
	v.oneOf(p, "passwordFile", a.PasswordFile, "passwordEnv", a.PasswordEnv)
	v.oneOf(p, "tokenFile", a.TokenFile, "tokenEnv", a.TokenEnv)
	if !a.password().isZero() && !a.token().isZero() {
		v.addf(p, "set either a password or a token, not both")
	}
	if !a.password().isZero() && !user {
		v.addf(p, "a password needs username, usernameFile or usernameEnv")
	}
	if user && a.password().isZero() && a.token().isZero() {
		v.addf(p, "a username needs a password")
	}
	if user && !a.token().isZero() {
		v.addf(p, "a token is a bearer token used alone; with a username, name the token as the password")
	}
}
