<?php
/**
 * The single sign-on token, made without WordPress (so it can be tested alone).
 *
 * A JSON Web Token signed with HMAC-SHA256 and the SSO secret shared with the service
 * (ADVIK_WORDPRESS_SSO_SECRET there). Claims: iss (the origin of this WordPress admin,
 * the one origin the service lets frame its admin pages), aud "advik-coupons-admin",
 * sub (the WordPress login), name, email, iat, exp (iat + 60) and jti (random, so the
 * service can refuse a second use).
 *
 * @package AdvikCoupons
 */

defined( 'ABSPATH' ) || exit;

/** How long a token lives, in seconds. */
const ADVIK_COUPONS_SSO_LIFETIME = 60;

/**
 * Base64url without padding, as JSON Web Tokens write it.
 *
 * @param string $data Raw bytes.
 */
function advik_coupons_base64url( string $data ): string {
	return rtrim( strtr( base64_encode( $data ), '+/', '-_' ), '=' ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- the token's format.
}

/**
 * A signed token for one user.
 *
 * @param string $secret The SSO secret (at least 32 characters).
 * @param string $origin The WordPress admin's origin, e.g. https://example.com.
 * @param string $login  The user's login name.
 * @param string $name   The user's display name.
 * @param string $email  The user's e-mail.
 * @param int    $now    The current Unix time.
 * @param string $jti    A random id (hex).
 */
function advik_coupons_sso_token( string $secret, string $origin, string $login, string $name, string $email, int $now, string $jti ): string {
	$header  = array(
		'alg' => 'HS256',
		'typ' => 'JWT',
	);
	$claims  = array(
		'iss'   => $origin,
		'aud'   => 'advik-coupons-admin',
		'sub'   => $login,
		'name'  => $name,
		'email' => $email,
		'iat'   => $now,
		'exp'   => $now + ADVIK_COUPONS_SSO_LIFETIME,
		'jti'   => $jti,
	);
	$flags   = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE;
	$signing = advik_coupons_base64url( (string) json_encode( $header, $flags ) ) . '.' . advik_coupons_base64url( (string) json_encode( $claims, $flags ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions.json_encode_json_encode -- runs without WordPress in the tests.
	return $signing . '.' . advik_coupons_base64url( hash_hmac( 'sha256', $signing, $secret, true ) );
}
