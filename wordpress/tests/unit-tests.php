<?php
/**
 * Unit tests of the plugin's code that runs without WordPress: the Standard Webhooks
 * signature check (against the specification's published example) and the single
 * sign-on token. Run: php wordpress/tests/unit-tests.php; prints "N passed, M failed".
 *
 * @package AdvikCoupons\Tests
 */

define( 'ABSPATH', __DIR__ . '/' );
require dirname( __DIR__ ) . '/advik-coupons/includes/webhook-signature.php';
require dirname( __DIR__ ) . '/advik-coupons/includes/sso-token.php';

$advik_passed = 0;
$advik_failed = 0;

/**
 * Records one check.
 *
 * @param string $name  What is checked.
 * @param bool   $holds Whether it holds.
 */
function advik_check( string $name, bool $holds ): void {
	global $advik_passed, $advik_failed;
	if ( $holds ) {
		++$advik_passed;
		return;
	}
	++$advik_failed;
	fwrite( STDERR, "FAILED: $name\n" );
}

// The Standard Webhooks specification's example request.
$secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
$id     = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
$stamp  = '1614265330';
$body   = '{"test": 2432232314}';
$good   = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
$key    = advik_coupons_webhook_key( $secret );

advik_check( 'the example signs as published', advik_coupons_webhook_sign( (string) $key, $id, $stamp, $body ) === $good );
advik_check( 'the example verifies at its own time', null === advik_coupons_webhook_problem( $secret, $id, $stamp, $good, $body, 1614265330 ) );
advik_check( 'a secret without the whsec_ prefix works too', null === advik_coupons_webhook_problem( 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', $id, $stamp, $good, $body, 1614265330 ) );
advik_check( 'within five minutes', null === advik_coupons_webhook_problem( $secret, $id, $stamp, $good, $body, 1614265330 + 300 ) );
advik_check( 'within five minutes before', null === advik_coupons_webhook_problem( $secret, $id, $stamp, $good, $body, 1614265330 - 300 ) );
advik_check( 'stale after five minutes', 'stale_timestamp' === advik_coupons_webhook_problem( $secret, $id, $stamp, $good, $body, 1614265330 + 301 ) );
advik_check( 'too far in the future', 'stale_timestamp' === advik_coupons_webhook_problem( $secret, $id, $stamp, $good, $body, 1614265330 - 301 ) );
advik_check( 'a changed body fails', 'bad_signature' === advik_coupons_webhook_problem( $secret, $id, $stamp, $good, '{"test": 2432232315}', 1614265330 ) );
advik_check( 'a changed id fails', 'bad_signature' === advik_coupons_webhook_problem( $secret, 'msg_other', $stamp, $good, $body, 1614265330 ) );
advik_check( 'a changed time stamp fails', 'bad_signature' === advik_coupons_webhook_problem( $secret, $id, '1614265331', $good, $body, 1614265330 ) );
advik_check( 'another secret fails', 'bad_signature' === advik_coupons_webhook_problem( 'whsec_' . base64_encode( str_repeat( 'k', 24 ) ), $id, $stamp, $good, $body, 1614265330 ) );
advik_check( 'several signatures: one good one is enough', null === advik_coupons_webhook_problem( $secret, $id, $stamp, 'v1,Zm9v v1,YmFy ' . $good, $body, 1614265330 ) );
advik_check( 'several signatures: none good', 'bad_signature' === advik_coupons_webhook_problem( $secret, $id, $stamp, 'v1,Zm9v v1,YmFy', $body, 1614265330 ) );
advik_check( 'another version tag does not count', 'bad_signature' === advik_coupons_webhook_problem( $secret, $id, $stamp, 'v2,' . substr( $good, 3 ), $body, 1614265330 ) );
advik_check( 'the bare base64 does not count', 'bad_signature' === advik_coupons_webhook_problem( $secret, $id, $stamp, substr( $good, 3 ), $body, 1614265330 ) );
advik_check( 'missing signature', 'missing_headers' === advik_coupons_webhook_problem( $secret, $id, $stamp, '', $body, 1614265330 ) );
advik_check( 'missing id', 'missing_headers' === advik_coupons_webhook_problem( $secret, '', $stamp, $good, $body, 1614265330 ) );
advik_check( 'a time stamp that is not a number', 'bad_timestamp' === advik_coupons_webhook_problem( $secret, $id, '16142653e3', $good, $body, 1614265330 ) );
advik_check( 'a malformed secret', 'bad_secret' === advik_coupons_webhook_problem( 'whsec_not base64!', $id, $stamp, $good, $body, 1614265330 ) );
advik_check( 'a short key', 'bad_secret' === advik_coupons_webhook_problem( 'whsec_' . base64_encode( 'short' ), $id, $stamp, $good, $body, 1614265330 ) );

// The single sign-on token: a JSON Web Token (HS256) with the claims the service checks.
$sso_secret = 'an-sso-secret-of-at-least-thirty-two-chars';
$token      = advik_coupons_sso_token( $sso_secret, 'https://wp.example.com', 'ann', 'Ann Admin', 'ann@example.com', 1800000000, 'abcdef0123456789abcdef0123456789' );
$parts      = explode( '.', $token );
advik_check( 'three parts', 3 === count( $parts ) );
$decode = static fn ( string $part ) => base64_decode( strtr( $part, '-_', '+/' ) . str_repeat( '=', ( 4 - strlen( $part ) % 4 ) % 4 ), true );
$header = json_decode( (string) $decode( $parts[0] ), true );
$claims = json_decode( (string) $decode( $parts[1] ), true );
advik_check( 'HS256 header', array( 'alg' => 'HS256', 'typ' => 'JWT' ) === $header );
advik_check( 'claims', 'https://wp.example.com' === $claims['iss'] && 'advik-coupons-admin' === $claims['aud'] && 'ann' === $claims['sub'] && 1800000000 === $claims['iat'] && 1800000060 === $claims['exp'] && 'abcdef0123456789abcdef0123456789' === $claims['jti'] );
advik_check( 'signature', hash_equals( hash_hmac( 'sha256', $parts[0] . '.' . $parts[1], $sso_secret, true ), (string) $decode( $parts[2] ) ) );
advik_check( 'no padding, URL-safe', ! preg_match( '/[=+\/]/', $token ) );

echo "$advik_passed passed, $advik_failed failed\n";
exit( $advik_failed ? 1 : 0 );
