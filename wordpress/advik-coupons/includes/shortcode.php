<?php
/**
 * [advik_coupon subtotal="120.00" email="…" date="2026-12-07" type="one_time" form="checkout"]
 *
 * Renders the "Have a coupon code?" widget: a <div data-advik-coupon> with the booking in
 * data attributes, and the widget's script and stylesheet from the service (this site's
 * origin must be listed in ADVIK_CORS_ORIGINS there). The script builds the widget; until
 * it runs (or without JavaScript) a plain coupon field stands in. The applied code is
 * posted with the host's form (the `form` attribute: its id; or the form around the
 * shortcode) as `coupon_code` — redeem it server-side with advik_coupons_redeem().
 *
 * @package AdvikCoupons
 */

defined( 'ABSPATH' ) || exit;

add_shortcode( 'advik_coupon', 'advik_coupons_shortcode' );

/**
 * The shortcode's markup.
 *
 * @param array<string, string>|string $atts The shortcode's attributes.
 */
function advik_coupons_shortcode( array|string $atts ): string {
	$atts = shortcode_atts(
		array(
			'subtotal' => '0',
			'email'    => '',
			'date'     => '',
			'type'     => 'one_time',
			'form'     => '',
			'field'    => 'coupon_code',
		),
		is_array( $atts ) ? $atts : array(),
		'advik_coupon'
	);
	$base = advik_coupons_service_url();
	if ( '' === $base ) {
		if ( current_user_can( 'manage_options' ) ) {
			return '<p class="advik-coupon-notice">' . esc_html__( 'Advik Coupons: set the service URL on Settings → Advik Coupons to show the coupon field here.', 'advik-coupons' ) . '</p>';
		}
		return '';
	}
	wp_enqueue_style( 'advik-coupons-widget', $base . '/coupons/static/advik-coupon.css', array(), null ); // phpcs:ignore WordPress.WP.EnqueuedResourceParameters.MissingVersion -- the service's own file, cached by it.
	wp_enqueue_script( 'advik-coupons-widget', $base . '/coupons/static/advik-coupon.js', array(), null, true ); // phpcs:ignore WordPress.WP.EnqueuedResourceParameters.MissingVersion -- the service's own file, cached by it.

	$subtotal = sanitize_text_field( $atts['subtotal'] );
	$date     = sanitize_text_field( $atts['date'] );
	$type     = sanitize_key( $atts['type'] );
	$form     = preg_replace( '/[^A-Za-z0-9_\-:.]/', '', $atts['form'] );
	$field    = preg_replace( '/[^A-Za-z0-9_\-\[\]]/', '', $atts['field'] );
	$data     = array(
		'data-apply-url'    => esc_url( $base . '/coupons/apply' ),
		'data-subtotal'     => preg_match( '/^\d{1,10}(\.\d{1,2})?$/', $subtotal ) ? $subtotal : '0',
		'data-email'        => sanitize_email( $atts['email'] ),
		'data-booking-date' => preg_match( '/^\d{4}-\d{2}-\d{2}$/', $date ) ? $date : '',
		'data-booking-type' => in_array( $type, array( 'one_time', 'recurring' ), true ) ? $type : 'one_time',
		'data-form'         => $form,
		'data-field-name'   => '' !== $field ? $field : 'coupon_code',
	);
	$html = '<div class="advik-coupon" data-advik-coupon';
	foreach ( $data as $name => $value ) {
		if ( '' !== $value ) {
			$html .= ' ' . $name . '="' . esc_attr( $value ) . '"';
		}
	}
	$html .= '><p><label>' . esc_html__( 'Coupon code', 'advik-coupons' ) . ' <input type="text" name="' . esc_attr( $data['data-field-name'] ) . '"';
	if ( '' !== $form ) {
		$html .= ' form="' . esc_attr( $form ) . '"';
	}
	$html .= ' autocomplete="off" maxlength="50"></label></p></div>';
	return $html;
}
