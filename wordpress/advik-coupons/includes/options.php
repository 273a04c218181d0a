<?php
/**
 * The plugin's four settings: read from a wp-config.php constant when one is defined,
 * else from the option saved on Settings → Advik Coupons.
 *
 * @package AdvikCoupons
 */

defined( 'ABSPATH' ) || exit;

/** The option holding the settings saved on the settings page (an array). */
const ADVIK_COUPONS_OPTION = 'advik_coupons_settings';

/**
 * The settings: key => the wp-config.php constant that fixes it, its label, and whether it is a secret.
 *
 * @return array<string, array{constant: string, label: string, secret: bool}>
 */
function advik_coupons_fields(): array {
	return array(
		'url'            => array(
			'constant' => 'ADVIK_COUPONS_URL',
			'label'    => __( 'Service URL', 'advik-coupons' ),
			'secret'   => false,
		),
		'token'          => array(
			'constant' => 'ADVIK_COUPONS_TOKEN',
			'label'    => __( 'API token', 'advik-coupons' ),
			'secret'   => true,
		),
		'webhook_secret' => array(
			'constant' => 'ADVIK_COUPONS_WEBHOOK_SECRET',
			'label'    => __( 'Webhook secret', 'advik-coupons' ),
			'secret'   => true,
		),
		'sso_secret'     => array(
			'constant' => 'ADVIK_COUPONS_SSO_SECRET',
			'label'    => __( 'Single sign-on secret', 'advik-coupons' ),
			'secret'   => true,
		),
	);
}

/**
 * Whether a setting is fixed by its wp-config.php constant (which then wins over the option).
 *
 * @param string $key A key of advik_coupons_fields().
 */
function advik_coupons_setting_is_constant( string $key ): bool {
	$fields = advik_coupons_fields();
	return isset( $fields[ $key ] ) && defined( $fields[ $key ]['constant'] );
}

/**
 * A setting's value: the wp-config.php constant when defined, else the saved option, else ''.
 *
 * @param string $key A key of advik_coupons_fields().
 */
function advik_coupons_setting( string $key ): string {
	$fields = advik_coupons_fields();
	if ( ! isset( $fields[ $key ] ) ) {
		return '';
	}
	if ( defined( $fields[ $key ]['constant'] ) ) {
		return trim( (string) constant( $fields[ $key ]['constant'] ) );
	}
	$saved = get_option( ADVIK_COUPONS_OPTION, array() );
	return is_array( $saved ) && isset( $saved[ $key ] ) && is_string( $saved[ $key ] ) ? $saved[ $key ] : '';
}

/**
 * The service's base URL without a trailing slash ('' when not set), e.g. https://coupons.example.com.
 */
function advik_coupons_service_url(): string {
	return untrailingslashit( advik_coupons_setting( 'url' ) );
}

/**
 * A URL of the service: its base plus a path such as /api/v1/quote.
 *
 * @param string $path Starts with a slash.
 */
function advik_coupons_service_endpoint( string $path ): string {
	return advik_coupons_service_url() . $path;
}

/**
 * The scheme://host[:port] of a URL ('' when it has none).
 *
 * @param string $url An absolute URL.
 */
function advik_coupons_origin( string $url ): string {
	$parts = wp_parse_url( $url );
	if ( empty( $parts['scheme'] ) || empty( $parts['host'] ) ) {
		return '';
	}
	$origin = strtolower( $parts['scheme'] ) . '://' . strtolower( $parts['host'] );
	return isset( $parts['port'] ) ? $origin . ':' . (int) $parts['port'] : $origin;
}
