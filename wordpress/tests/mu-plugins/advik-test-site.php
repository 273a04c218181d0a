<?php
/**
 * Plugin Name: Advik Coupons test site
 * Description: For the tests only: records every advik_coupon_* action it sees, and a
 * small booking form whose handler redeems the applied code at the server's own price.
 *
 * The record is one JSON line per action in the file named by ADVIK_TEST_EVENTS_LOG
 * (wp-config.php of the test site); the bookings go to ADVIK_TEST_BOOKINGS_LOG. An event
 * whose data has "throw_once" makes a handler throw the first time it is seen.
 *
 * @package AdvikCoupons\Tests
 */

defined( 'ABSPATH' ) || exit;

/** The booking form's one service and its price: the server's, never the browser's. */
const ADVIK_TEST_PRICE = '120.00';

foreach ( array( 'applied', 'redeemed', 'released', 'limit_reached', 'created', 'updated', 'deleted', 'expired', 'expiring_soon', 'redemption_amended' ) as $advik_test_event ) {
	add_action(
		'advik_coupon_' . $advik_test_event,
		static function ( $event ) use ( $advik_test_event ) {
			advik_test_record(
				ADVIK_TEST_EVENTS_LOG,
				array(
					'action'      => 'advik_coupon_' . $advik_test_event,
					'id'          => $event['id'] ?? null,
					'type'        => $event['type'] ?? null,
					'code'        => $event['data']['coupon']['code'] ?? null,
					'booking_ref' => $event['data']['booking']['booking_ref'] ?? null,
					'total'       => $event['data']['amounts']['total'] ?? null,
				)
			);
		}
	);
}

add_action(
	'advik_coupon_redeemed',
	static function ( $event ) {
		$once = $event['data']['throw_once'] ?? '';
		if ( ! is_string( $once ) || '' === $once ) {
			return;
		}
		$marker = dirname( ADVIK_TEST_EVENTS_LOG ) . '/thrown-' . md5( $once );
		if ( ! file_exists( $marker ) ) {
			touch( $marker );
			throw new RuntimeException( 'a handler failed (on purpose, once)' );
		}
	},
	5
);

/**
 * Appends one JSON line to a file.
 *
 * @param string               $file Where.
 * @param array<string, mixed> $line What.
 */
function advik_test_record( string $file, array $line ): void {
	file_put_contents( $file, wp_json_encode( $line ) . "\n", FILE_APPEND | LOCK_EX ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents -- a test log.
}

add_shortcode(
	'advik_test_booking',
	static function (): string {
		return '<form id="advik-test-booking" method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">'
			. '<input type="hidden" name="action" value="advik_test_book">'
			. wp_nonce_field( 'advik_test_book', '_wpnonce', true, false )
			. '<p>Deep clean (4 h): $' . esc_html( ADVIK_TEST_PRICE ) . '</p>'
			. '<p><label>Your e-mail <input type="email" name="email" value="ann@example.com"></label></p>'
			. '<p><button type="submit">Book now</button></p></form>';
	}
);

add_action( 'admin_post_nopriv_advik_test_book', 'advik_test_book' );
add_action( 'admin_post_advik_test_book', 'advik_test_book' );

/**
 * The booking form's handler: redeems the applied code at the server's price.
 */
function advik_test_book(): void {
	check_admin_referer( 'advik_test_book' );
	$code  = isset( $_POST['coupon_code'] ) ? sanitize_text_field( wp_unslash( $_POST['coupon_code'] ) ) : '';
	$email = isset( $_POST['email'] ) ? sanitize_email( wp_unslash( $_POST['email'] ) ) : '';
	$ref   = 'WP-' . strtoupper( wp_generate_password( 10, false ) );
	$line  = array(
		'booking_ref' => $ref,
		'code'        => $code,
	);
	if ( '' === $code ) {
		$message = 'Booked ' . $ref . ' without a coupon: $' . ADVIK_TEST_PRICE;
	} else {
		$done = advik_coupons_redeem(
			$code,
			array(
				'subtotal'    => ADVIK_TEST_PRICE,
				'email'       => $email,
				'booking_ref' => $ref,
				'booking_date' => '2026-12-07',
			)
		);
		if ( is_wp_error( $done ) ) {
			$line['error'] = $done->get_error_code();
			$message       = 'Coupon not applied (' . $done->get_error_code() . '): ' . $done->get_error_message();
		} else {
			$line['redemption'] = $done;
			$message            = 'Booked ' . $ref . ' with ' . $done['code'] . ': total $' . $done['total'] . ' (you saved $' . $done['discount'] . ')';
		}
	}
	advik_test_record( ADVIK_TEST_BOOKINGS_LOG, $line );
	wp_die( '<p id="advik-test-result">' . esc_html( $message ) . '</p>', 'Booking', array( 'response' => 200 ) );
}
