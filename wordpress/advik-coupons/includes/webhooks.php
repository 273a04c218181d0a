<?php
/**
 * POST /wp-json/advik-coupons/v1/events: the service's webhook, as WordPress actions.
 *
 * Point the service's ADVIK_WEBHOOK_URL here and give both sides the same webhook secret.
 * A request is accepted only with a valid Standard Webhooks signature and a time stamp
 * within five minutes (401 otherwise, nothing fires). Its event fires
 * do_action( 'advik_coupon_<x>', $event ) for the type "coupon.<x>":
 * advik_coupon_applied, advik_coupon_redeemed, advik_coupon_released,
 * advik_coupon_limit_reached, advik_coupon_created, advik_coupon_updated,
 * advik_coupon_deleted, advik_coupon_expired, advik_coupon_expiring_soon,
 * advik_coupon_redemption_amended. $event is the decoded body:
 * array( 'id', 'type', 'created_at', 'data' => array( 'coupon', 'booking', 'amounts' ) ).
 *
 * The same webhook-id twice (the service retries with the same id; or a replay) is
 * acknowledged with 200 and fires nothing the second time: ids are remembered as
 * transients for longer than the time stamp window. Handlers run before the answer, so
 * keep them quick (schedule slow work); a handler that throws makes the answer 500, the
 * id is forgotten and the service tries again later.
 *
 * @package AdvikCoupons
 */

defined( 'ABSPATH' ) || exit;

/** How long a seen webhook-id is remembered (longer than the time stamp window on both sides). */
const ADVIK_COUPONS_SEEN_SECONDS = 900;

add_action( 'rest_api_init', 'advik_coupons_register_events_route' );

/**
 * Registers the route.
 */
function advik_coupons_register_events_route(): void {
	register_rest_route(
		'advik-coupons/v1',
		'/events',
		array(
			'methods'             => 'POST',
			'callback'            => 'advik_coupons_receive_event',
			// The caller is the coupon service, proven by the webhook signature.
			'permission_callback' => 'advik_coupons_event_is_signed',
		)
	);
}

/**
 * The route's permission: a valid, fresh Standard Webhooks signature.
 *
 * @param WP_REST_Request $request The request.
 * @return true|WP_Error
 */
function advik_coupons_event_is_signed( WP_REST_Request $request ): bool|WP_Error {
	$secret = advik_coupons_setting( 'webhook_secret' );
	if ( '' === $secret ) {
		return new WP_Error( 'advik_coupons_not_configured', __( 'No webhook secret is set on Settings → Advik Coupons.', 'advik-coupons' ), array( 'status' => 503 ) );
	}
	$problem = advik_coupons_webhook_problem(
		$secret,
		(string) $request->get_header( 'webhook_id' ),
		(string) $request->get_header( 'webhook_timestamp' ),
		(string) $request->get_header( 'webhook_signature' ),
		$request->get_body(),
		time()
	);
	if ( null === $problem ) {
		return true;
	}
	$status = 'missing_headers' === $problem ? 400 : ( 'bad_secret' === $problem ? 503 : 401 );
	return new WP_Error( 'advik_coupons_' . $problem, __( 'The webhook signature or time stamp is not valid.', 'advik-coupons' ), array( 'status' => $status ) );
}

/**
 * The WordPress action an event type fires: "coupon.redeemed" -> "advik_coupon_redeemed".
 *
 * @param mixed $type The event's type.
 */
function advik_coupons_action_for( mixed $type ): ?string {
	if ( ! is_string( $type ) || ! preg_match( '/^coupon\.([a-z][a-z_]{0,60})$/', $type, $found ) ) {
		return null;
	}
	return 'advik_coupon_' . $found[1];
}

/**
 * Fires the event's action once per webhook-id.
 *
 * @param WP_REST_Request $request The signed request.
 * @return WP_REST_Response|WP_Error
 */
function advik_coupons_receive_event( WP_REST_Request $request ): WP_REST_Response|WP_Error {
	$event  = json_decode( $request->get_body(), true );
	$action = is_array( $event ) ? advik_coupons_action_for( $event['type'] ?? null ) : null;
	if ( null === $action ) {
		return new WP_Error( 'advik_coupons_bad_event', __( 'The body is not a coupon event.', 'advik-coupons' ), array( 'status' => 400 ) );
	}
	$id = (string) $request->get_header( 'webhook_id' );
	if ( ! advik_coupons_claim_webhook_id( $id ) ) {
		return new WP_REST_Response(
			array(
				'received'  => true,
				'duplicate' => true,
			),
			200
		);
	}
	try {
		do_action( $action, $event );
	} catch ( Throwable $error ) {
		advik_coupons_forget_webhook_id( $id );
		return new WP_Error( 'advik_coupons_handler_failed', __( 'A handler of the event failed; send it again later.', 'advik-coupons' ), array( 'status' => 500 ) );
	}
	return new WP_REST_Response(
		array(
			'received' => true,
			'action'   => $action,
		),
		200
	);
}

/**
 * The transient name remembering one webhook-id.
 *
 * @param string $id The webhook-id.
 */
function advik_coupons_seen_key( string $id ): string {
	return 'advik_coupons_seen_' . md5( $id );
}

/**
 * Remembers a webhook-id; false when it was seen before.
 *
 * With a persistent object cache the atomic wp_cache_add() decides; otherwise the
 * transient's row is inserted with INSERT IGNORE, so two deliveries of one id at the same
 * moment cannot both pass. The rows are ordinary transients (with their timeout row) that
 * WordPress removes once expired.
 *
 * @param string $id The webhook-id.
 */
function advik_coupons_claim_webhook_id( string $id ): bool {
	$key = advik_coupons_seen_key( $id );
	if ( wp_using_ext_object_cache() ) {
		return wp_cache_add( $key, time(), 'transient', ADVIK_COUPONS_SEEN_SECONDS );
	}
	if ( false !== get_transient( $key ) ) {
		return false;
	}
	global $wpdb;
	$inserted = $wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- an atomic claim; the row is a transient.
		$wpdb->prepare(
			"INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'no')",
			'_transient_' . $key,
			(string) time()
		)
	);
	if ( 1 !== $inserted ) {
		return false;
	}
	update_option( '_transient_timeout_' . $key, time() + ADVIK_COUPONS_SEEN_SECONDS, false );
	wp_cache_delete( 'notoptions', 'options' );
	return true;
}

/**
 * Forgets a webhook-id (its handler failed, so the service's next try runs it again).
 *
 * @param string $id The webhook-id.
 */
function advik_coupons_forget_webhook_id( string $id ): void {
	delete_transient( advik_coupons_seen_key( $id ) );
}
