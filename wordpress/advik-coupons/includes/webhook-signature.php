<?php
/**
 * Standard Webhooks signatures, checked without WordPress (so they can be tested alone).
 *
 * A request carries webhook-id, webhook-timestamp (Unix seconds) and webhook-signature:
 * one or more space-separated "v1,<base64 HMAC-SHA256>" of "id.timestamp.body", keyed with
 * the base64 key after "whsec_" of the secret. The time stamp must be within five minutes
 * of now, and every candidate is compared with hash_equals() (constant time).
 *
 * @package AdvikCoupons
 */

defined( 'ABSPATH' ) || exit;

/** How far (seconds) a webhook-timestamp may be from now. */
const ADVIK_COUPONS_WEBHOOK_TOLERANCE = 300;

/**
 * The raw HMAC key of a "whsec_<base64>" secret, or null when the secret is malformed.
 *
 * @param string $secret The webhook secret.
 */
function advik_coupons_webhook_key( string $secret ): ?string {
	$secret = trim( $secret );
	if ( str_starts_with( $secret, 'whsec_' ) ) {
		$secret = substr( $secret, 6 );
	}
	$key = base64_decode( $secret, true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode -- the secret's format.
	return ( false === $key || strlen( $key ) < 16 ) ? null : $key;
}

/**
 * The webhook-signature value ("v1,<base64>") for one request.
 *
 * @param string $key       The raw key (advik_coupons_webhook_key()).
 * @param string $id        The webhook-id.
 * @param string $timestamp The webhook-timestamp.
 * @param string $body      The raw request body.
 */
function advik_coupons_webhook_sign( string $key, string $id, string $timestamp, string $body ): string {
	return 'v1,' . base64_encode( hash_hmac( 'sha256', $id . '.' . $timestamp . '.' . $body, $key, true ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- the signature's format.
}

/**
 * Why a webhook request is refused, or null when it is genuine and fresh.
 *
 * Reasons: 'missing_headers', 'bad_secret', 'bad_timestamp', 'stale_timestamp', 'bad_signature'.
 *
 * @param string $secret     The "whsec_…" secret shared with the service.
 * @param string $id         The webhook-id header.
 * @param string $timestamp  The webhook-timestamp header.
 * @param string $signatures The webhook-signature header (space-separated candidates).
 * @param string $body       The raw request body, exactly as received.
 * @param int    $now        The current Unix time.
 * @param int    $tolerance  Seconds the time stamp may be away from $now.
 */
function advik_coupons_webhook_problem( string $secret, string $id, string $timestamp, string $signatures, string $body, int $now, int $tolerance = ADVIK_COUPONS_WEBHOOK_TOLERANCE ): ?string {
	if ( '' === $id || '' === $timestamp || '' === trim( $signatures ) ) {
		return 'missing_headers';
	}
	$key = advik_coupons_webhook_key( $secret );
	if ( null === $key ) {
		return 'bad_secret';
	}
	if ( ! preg_match( '/^\d{1,12}$/', $timestamp ) ) {
		return 'bad_timestamp';
	}
	if ( abs( $now - (int) $timestamp ) > $tolerance ) {
		return 'stale_timestamp';
	}
	$expected = advik_coupons_webhook_sign( $key, $id, $timestamp, $body );
	$matched  = false;
	foreach ( preg_split( '/\s+/', trim( $signatures ) ) as $candidate ) {
		// Compare every candidate, so the time taken does not tell which one matched.
		$matched = hash_equals( $expected, $candidate ) || $matched;
	}
	return $matched ? null : 'bad_signature';
}
