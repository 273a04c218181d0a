<?php
/**
 * Settings → Advik Coupons: the service URL, API token, webhook secret and SSO secret
 * (Settings API; a wp-config.php constant wins and is shown as such), what to set on the
 * service, and a "Test connection" button.
 *
 * @package AdvikCoupons
 */

defined( 'ABSPATH' ) || exit;

/** The settings page's slug. */
const ADVIK_COUPONS_SETTINGS_PAGE = 'advik-coupons-settings';

add_action( 'admin_menu', 'advik_coupons_settings_menu' );
add_action( 'admin_init', 'advik_coupons_register_settings' );
add_action( 'admin_post_advik_coupons_test', 'advik_coupons_handle_test_connection' );

/**
 * Adds Settings → Advik Coupons.
 */
function advik_coupons_settings_menu(): void {
	add_options_page(
		__( 'Advik Coupons', 'advik-coupons' ),
		__( 'Advik Coupons', 'advik-coupons' ),
		'manage_options',
		ADVIK_COUPONS_SETTINGS_PAGE,
		'advik_coupons_render_settings_page'
	);
}

/**
 * Registers the option, its section and fields (saved through options.php, which checks the
 * nonce and manage_options).
 */
function advik_coupons_register_settings(): void {
	register_setting(
		'advik_coupons',
		ADVIK_COUPONS_OPTION,
		array(
			'type'              => 'array',
			'sanitize_callback' => 'advik_coupons_sanitize_settings',
			'default'           => array(),
			'show_in_rest'      => false,
		)
	);
	add_settings_section( 'advik_coupons_service', __( 'The coupon service', 'advik-coupons' ), 'advik_coupons_render_section', ADVIK_COUPONS_SETTINGS_PAGE );
	foreach ( advik_coupons_fields() as $key => $field ) {
		add_settings_field(
			'advik_coupons_' . $key,
			$field['label'],
			'advik_coupons_render_field',
			ADVIK_COUPONS_SETTINGS_PAGE,
			'advik_coupons_service',
			array(
				'key'       => $key,
				'label_for' => 'advik_coupons_' . $key,
			)
		);
	}
}

/**
 * Cleans what the form sent: a secret left empty keeps the saved one; a value fixed in
 * wp-config.php is not saved; bad values are refused with a message.
 *
 * @param mixed $input The submitted array.
 * @return array<string, string>
 */
function advik_coupons_sanitize_settings( mixed $input ): array {
	$saved = get_option( ADVIK_COUPONS_OPTION, array() );
	$saved = is_array( $saved ) ? $saved : array();
	$input = is_array( $input ) ? $input : array();
	$clean = array();
	foreach ( advik_coupons_fields() as $key => $field ) {
		$old = isset( $saved[ $key ] ) && is_string( $saved[ $key ] ) ? $saved[ $key ] : '';
		$new = isset( $input[ $key ] ) && is_string( $input[ $key ] ) ? trim( sanitize_text_field( $input[ $key ] ) ) : '';
		if ( advik_coupons_setting_is_constant( $key ) || ( $field['secret'] && '' === $new ) ) {
			$clean[ $key ] = $old;
			continue;
		}
		$problem = advik_coupons_setting_problem( $key, $new );
		if ( null !== $problem ) {
			add_settings_error( ADVIK_COUPONS_OPTION, 'advik_coupons_' . $key, $field['label'] . ': ' . $problem );
			$clean[ $key ] = $old;
			continue;
		}
		$clean[ $key ] = 'url' === $key ? untrailingslashit( esc_url_raw( $new, array( 'http', 'https' ) ) ) : $new;
	}
	return $clean;
}

/**
 * What is wrong with a value, or null.
 *
 * @param string $key   A key of advik_coupons_fields().
 * @param string $value The cleaned value ('' clears the URL).
 */
function advik_coupons_setting_problem( string $key, string $value ): ?string {
	if ( 'url' === $key && '' !== $value && ! preg_match( '#^https?://[^/\s?\#]+(/[^\s?\#]*)?$#', $value ) ) {
		return __( 'enter the address of the service, e.g. https://coupons.example.com', 'advik-coupons' );
	}
	if ( 'webhook_secret' === $key && null === advik_coupons_webhook_key( $value ) ) {
		return __( 'the secret must be whsec_ followed by a base64 key (the service\'s ADVIK_WEBHOOK_SECRET)', 'advik-coupons' );
	}
	if ( 'sso_secret' === $key && strlen( $value ) < 32 ) {
		return __( 'use at least 32 characters (the service\'s ADVIK_WORDPRESS_SSO_SECRET)', 'advik-coupons' );
	}
	return null;
}

/**
 * The section's introduction: what to set on the service for this site.
 */
function advik_coupons_render_section(): void {
	$origin = advik_coupons_origin( home_url() );
	echo '<p>' . esc_html__( 'On the service, set:', 'advik-coupons' ) . '</p><pre class="advik-coupons-service-settings">';
	echo esc_html( 'ADVIK_CORS_ORIGINS=' . $origin ) . "\n";
	echo esc_html( 'ADVIK_WEBHOOK_URL=' . rest_url( 'advik-coupons/v1/events' ) ) . "\n";
	echo esc_html( 'ADVIK_WEBHOOK_SECRET=' . __( '(the webhook secret below)', 'advik-coupons' ) ) . "\n";
	echo esc_html( 'ADVIK_WORDPRESS_SSO_SECRET=' . __( '(the single sign-on secret below)', 'advik-coupons' ) ) . '</pre>';
}

/**
 * One field: an input, or the note that wp-config.php fixes it.
 *
 * @param array{key: string, label_for: string} $args From add_settings_field().
 */
function advik_coupons_render_field( array $args ): void {
	$key    = $args['key'];
	$field  = advik_coupons_fields()[ $key ];
	$id     = $args['label_for'];
	$name   = ADVIK_COUPONS_OPTION . '[' . $key . ']';
	$value  = advik_coupons_setting( $key );
	$fixed  = advik_coupons_setting_is_constant( $key );
	$shown  = $field['secret'] ? ( '' !== $value ? '••••••••' : '' ) : $value;
	$attrs  = ' id="' . esc_attr( $id ) . '" class="regular-text"';
	$attrs .= $fixed ? ' value="' . esc_attr( $shown ) . '" disabled' : ' name="' . esc_attr( $name ) . '"';
	if ( $fixed ) {
		echo '<input type="text"' . $attrs . '>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
		/* translators: %s: a constant's name */
		echo '<p class="description advik-coupons-fixed">' . esc_html( sprintf( __( 'Set in wp-config.php (%s).', 'advik-coupons' ), $field['constant'] ) ) . '</p>';
		return;
	}
	if ( $field['secret'] ) {
		$placeholder = '' !== $value ? __( 'saved — leave empty to keep it', 'advik-coupons' ) : '';
		echo '<input type="password" autocomplete="new-password" value="" placeholder="' . esc_attr( $placeholder ) . '"' . $attrs . '>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
	} else {
		echo '<input type="url" placeholder="https://coupons.example.com" value="' . esc_attr( $value ) . '"' . $attrs . '>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
	}
	/* translators: %s: a constant's name */
	echo '<p class="description">' . esc_html( sprintf( __( 'Or define %s in wp-config.php.', 'advik-coupons' ), $field['constant'] ) ) . '</p>';
}

/**
 * The page: the settings form, then "Test connection" and its last result.
 */
function advik_coupons_render_settings_page(): void {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	echo '<div class="wrap"><h1>' . esc_html( get_admin_page_title() ) . '</h1>';
	$result = get_transient( 'advik_coupons_test_' . get_current_user_id() );
	if ( is_array( $result ) ) {
		delete_transient( 'advik_coupons_test_' . get_current_user_id() );
		echo '<div id="advik-coupons-test-result" class="notice ' . ( $result['ok'] ? 'notice-success' : 'notice-error' ) . '">';
		foreach ( $result['lines'] as $line ) {
			echo '<p>' . esc_html( $line ) . '</p>';
		}
		echo '</div>';
	}
	echo '<form action="' . esc_url( admin_url( 'options.php' ) ) . '" method="post">';
	settings_fields( 'advik_coupons' );
	do_settings_sections( ADVIK_COUPONS_SETTINGS_PAGE );
	submit_button();
	echo '</form><form action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" method="post">';
	echo '<input type="hidden" name="action" value="advik_coupons_test">';
	wp_nonce_field( 'advik_coupons_test' );
	submit_button( __( 'Test connection', 'advik-coupons' ), 'secondary', 'advik-coupons-test', false );
	echo '</form></div>';
}

/**
 * admin-post.php?action=advik_coupons_test: runs the checks, then back to the page.
 */
function advik_coupons_handle_test_connection(): void {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'Sorry, you are not allowed to change these settings.', 'advik-coupons' ), 403 );
	}
	check_admin_referer( 'advik_coupons_test' );
	set_transient( 'advik_coupons_test_' . get_current_user_id(), advik_coupons_test_connection(), 120 );
	wp_safe_redirect( admin_url( 'options-general.php?page=' . ADVIK_COUPONS_SETTINGS_PAGE ) );
	exit;
}

/**
 * Calls the service and says what it found: ok (the API took the token) and one line per check.
 *
 * @return array{ok: bool, lines: list<string>}
 */
function advik_coupons_test_connection(): array {
	$base = advik_coupons_service_url();
	if ( '' === $base ) {
		return array(
			'ok'    => false,
			'lines' => array( __( 'Enter the service URL first.', 'advik-coupons' ) ),
		);
	}
	$lines  = array();
	$origin = advik_coupons_origin( home_url() );
	$config = wp_remote_get(
		$base . '/coupons/widget.json',
		array(
			'timeout'     => ADVIK_COUPONS_HTTP_TIMEOUT,
			'redirection' => 0,
			'headers'     => array( 'Origin' => $origin ),
		)
	);
	$widget = advik_coupons_read_answer( $config );
	if ( is_wp_error( $widget ) ) {
		/* translators: 1: the service URL, 2: what went wrong */
		$lines[] = sprintf( __( 'Could not reach the service at %1$s: %2$s', 'advik-coupons' ), $base, $widget->get_error_message() );
		return array(
			'ok'    => false,
			'lines' => $lines,
		);
	}
	/* translators: 1: the service URL, 2: a currency code, 3: a percentage */
	$lines[] = sprintf( __( 'Reached the service at %1$s: currency %2$s, tax %3$s %%.', 'advik-coupons' ), $base, (string) ( $widget['currency'] ?? '?' ), (string) ( $widget['tax_rate'] ?? '?' ) );
	$allowed = wp_remote_retrieve_header( $config, 'access-control-allow-origin' );
	$lines[] = ( $allowed === $origin || '*' === $allowed )
		/* translators: %s: this site's origin */
		? sprintf( __( 'This site (%s) may show the coupon widget.', 'advik-coupons' ), $origin )
		/* translators: %s: this site's origin */
		: sprintf( __( 'The widget will not work here yet: add %s to ADVIK_CORS_ORIGINS on the service.', 'advik-coupons' ), $origin );

	$ok   = false;
	$list = advik_coupons_api( 'GET', '/coupons?per_page=1', null );
	if ( is_wp_error( $list ) ) {
		/* translators: %s: what went wrong */
		$lines[] = sprintf( __( 'The JSON API did not accept the call: %s', 'advik-coupons' ), $list->get_error_message() );
	} else {
		$ok = true;
		/* translators: %d: a number of coupons */
		$lines[] = sprintf( _n( 'The API token works: %d coupon on the service.', 'The API token works: %d coupons on the service.', (int) ( $list['total'] ?? 0 ), 'advik-coupons' ), (int) ( $list['total'] ?? 0 ) );
	}
	$lines[] = '' !== advik_coupons_setting( 'webhook_secret' )
		? __( 'Webhook secret: set (coupon events arrive as WordPress actions).', 'advik-coupons' )
		: __( 'Webhook secret: not set (coupon events are refused).', 'advik-coupons' );
	$sso     = wp_remote_get(
		$base . '/admin/sso',
		array(
			'timeout'     => ADVIK_COUPONS_HTTP_TIMEOUT,
			'redirection' => 0,
		)
	);
	$lines[] = 404 === (int) wp_remote_retrieve_response_code( $sso )
		? __( 'Single sign-on: off on the service (set ADVIK_WORDPRESS_SSO_SECRET there).', 'advik-coupons' )
		: __( 'Single sign-on: on at the service.', 'advik-coupons' );
	return array(
		'ok'    => $ok,
		'lines' => $lines,
	);
}
