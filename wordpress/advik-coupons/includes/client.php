<?php
/**
 * The JSON API for the site's booking code: quote, redeem and cancel.
 *
 *     $quote = advik_coupons_quote( 'SPRING10', array( 'subtotal' => '120.00', 'email' => $email ) );
 *     $done  = advik_coupons_redeem( $code, array( 'subtotal' => $price, 'email' => $email, 'booking_ref' => $ref ) );
 *     if ( is_wp_error( $done ) ) { $done->get_error_code(); // 'expired', 'usage_limit_reached'…
 *
 * Each answers the service's JSON as an array, or a WP_Error: the reason code and the
 * customer's message when the coupon does not apply (422), 'invalid_request' naming the
 * bad fields (400), and 'advik_coupons_unreachable' / 'advik_coupons_unavailable' when the
 * service is down or failing (short timeouts; never a fatal error). The booking array is
 * sent as it is (subtotal as a string such as "120.00", email, booking_date, booking_type,
 * booking_ref, series_ref, occurrence…): always send your own price, never the browser's.
 *
 * @package AdvikCoupons
 */

defined( 'ABSPATH' ) || exit;

/** Seconds one call may take (filter: advik_coupons_http_timeout). */
const ADVIK_COUPONS_HTTP_TIMEOUT = 5;

/**
 * Prices a code for a booking (nothing is used up): the summary, or a WP_Error.
 *
 * @param string               $code    The code the customer typed.
 * @param array<string, mixed> $booking The booking: subtotal (your price), email, booking_date, booking_type…
 * @return array<string, mixed>|WP_Error
 */
function advik_coupons_quote( string $code, array $booking ): array|WP_Error {
	return advik_coupons_api( 'POST', '/quote', array_merge( $booking, array( 'code' => $code ) ) );
}

/**
 * Redeems a code for a confirmed booking, at your own price: the redemption, or a WP_Error.
 *
 * The same booking_ref again answers the first redemption (never a second one).
 *
 * @param string               $code    The applied code (the widget posts it as coupon_code).
 * @param array<string, mixed> $booking The booking with booking_ref (required) and your subtotal.
 * @return array<string, mixed>|WP_Error
 */
function advik_coupons_redeem( string $code, array $booking ): array|WP_Error {
	return advik_coupons_api( 'POST', '/redemptions', array_merge( $booking, array( 'code' => $code ) ) );
}

/**
 * Releases a redemption (the booking was cancelled or refunded): the redemption, or a WP_Error.
 *
 * @param int|string $redemption_id The id of the redemption advik_coupons_redeem() answered.
 * @return array<string, mixed>|WP_Error
 */
function advik_coupons_cancel( int|string $redemption_id ): array|WP_Error {
	if ( ! preg_match( '/^\d{1,18}$/', (string) $redemption_id ) ) {
		return new WP_Error( 'invalid_request', __( 'The redemption id must be a whole number.', 'advik-coupons' ), array( 'status' => 400 ) );
	}
	return advik_coupons_api( 'POST', '/redemptions/' . $redemption_id . '/cancel', null );
}

/**
 * One call to the JSON API (base URL + /api/v1 + $path) with the API token.
 *
 * @param string                    $method 'POST' (wp_remote_post) or 'GET' (wp_remote_get).
 * @param string                    $path   The path after /api/v1.
 * @param array<string, mixed>|null $body   Sent as JSON.
 * @return array<string, mixed>|WP_Error
 */
function advik_coupons_api( string $method, string $path, ?array $body ): array|WP_Error {
	$base  = advik_coupons_service_url();
	$token = advik_coupons_setting( 'token' );
	if ( '' === $base || '' === $token ) {
		return new WP_Error( 'advik_coupons_not_configured', __( 'Advik Coupons is not set up: enter the service URL and an API token on Settings → Advik Coupons.', 'advik-coupons' ), array( 'status' => 503 ) );
	}
	$args = array(
		'timeout'     => (float) apply_filters( 'advik_coupons_http_timeout', ADVIK_COUPONS_HTTP_TIMEOUT ),
		'redirection' => 0,
		'headers'     => array(
			'Authorization' => 'Bearer ' . $token,
			'Accept'        => 'application/json',
			'Content-Type'  => 'application/json',
		),
	);
	if ( null !== $body ) {
		$args['body'] = wp_json_encode( $body );
	}
	$url      = advik_coupons_service_endpoint( '/api/v1' . $path );
	$response = 'POST' === $method ? wp_remote_post( $url, $args ) : wp_remote_get( $url, $args );
	return advik_coupons_read_answer( $response );
}

/**
 * The service's answer as an array, or the WP_Error it stands for.
 *
 * @param array<string, mixed>|WP_Error $response What wp_remote_post() or wp_remote_get() gave.
 * @return array<string, mixed>|WP_Error
 */
function advik_coupons_read_answer( array|WP_Error $response ): array|WP_Error {
	if ( is_wp_error( $response ) ) {
		return new WP_Error(
			'advik_coupons_unreachable',
			/* translators: %s: the HTTP error */
			sprintf( __( 'The coupon service could not be reached: %s', 'advik-coupons' ), $response->get_error_message() ),
			array( 'status' => 503 )
		);
	}
	$status = (int) wp_remote_retrieve_response_code( $response );
	$data   = json_decode( (string) wp_remote_retrieve_body( $response ), true );
	if ( $status >= 200 && $status < 300 ) {
		if ( ! is_array( $data ) ) {
			return new WP_Error( 'advik_coupons_bad_answer', __( 'The coupon service answered something that is not JSON.', 'advik-coupons' ), array( 'status' => 502 ) );
		}
		return $data;
	}
	$data = is_array( $data ) ? $data : array();
	$meta = array(
		'status' => $status,
		'body'   => $data,
	);
	if ( 422 === $status && isset( $data['reason'] ) && is_string( $data['reason'] ) ) {
		return new WP_Error( $data['reason'], (string) ( $data['message'] ?? $data['reason'] ), $meta );
	}
	if ( 400 === $status ) {
		$errors  = isset( $data['errors'] ) && is_array( $data['errors'] ) ? $data['errors'] : array();
		$message = array();
		foreach ( $errors as $field => $text ) {
			$message[] = $field . ': ' . ( is_string( $text ) ? $text : wp_json_encode( $text ) );
		}
		return new WP_Error( 'invalid_request', $message ? implode( '; ', $message ) : __( 'The request was not valid.', 'advik-coupons' ), $meta );
	}
	if ( 401 === $status ) {
		return new WP_Error( 'advik_coupons_unauthorized', __( 'The coupon service refused the API token: make a new one with advik-coupons create-token.', 'advik-coupons' ), $meta );
	}
	if ( 429 === $status ) {
		return new WP_Error( 'rate_limited', __( 'Too many attempts. Please wait a moment and try again.', 'advik-coupons' ), $meta );
	}
	if ( $status >= 500 ) {
		/* translators: %d: the HTTP status */
		return new WP_Error( 'advik_coupons_unavailable', sprintf( __( 'The coupon service is not available right now (HTTP %d).', 'advik-coupons' ), $status ), $meta );
	}
	$code    = isset( $data['reason'] ) && is_string( $data['reason'] ) ? $data['reason'] : 'advik_coupons_http_' . $status;
	$message = (string) ( $data['message'] ?? $data['error'] ?? $data['description'] ?? '' );
	/* translators: %d: the HTTP status */
	return new WP_Error( $code, '' !== $message ? $message : sprintf( __( 'The coupon service answered HTTP %d.', 'advik-coupons' ), $status ), $meta );
}
