<?php
/**
 * The "Coupons" admin menu: the service's admin pages, with single sign-on.
 *
 * For users who can manage_options only. The page shows the service's coupon admin in a
 * frame, opened through <service>/admin/sso?token=… with a token made for this user
 * (sso-token.php): it lives 60 seconds and the service accepts it once, then lets this
 * site's admin origin frame the session's pages. "Open in a new tab" makes a fresh token
 * through admin-post.php (nonce and capability checked). The service needs
 * ADVIK_WORDPRESS_SSO_SECRET set to this site's SSO secret; for the framed view its cookie
 * must reach it inside the frame, so run it on the same site (e.g. coupons.example.com
 * beside example.com) or use the new tab.
 *
 * @package AdvikCoupons
 */

defined( 'ABSPATH' ) || exit;

add_action( 'admin_menu', 'advik_coupons_admin_menu' );
add_action( 'admin_post_advik_coupons_open', 'advik_coupons_open_in_new_tab' );

/**
 * Adds the top-level "Coupons" menu.
 */
function advik_coupons_admin_menu(): void {
	add_menu_page(
		__( 'Coupons', 'advik-coupons' ),
		__( 'Coupons', 'advik-coupons' ),
		'manage_options',
		'advik-coupons',
		'advik_coupons_render_admin_page',
		'dashicons-tickets-alt',
		56
	);
}

/**
 * The sign-on address for the current user, or a WP_Error saying what is missing.
 *
 * @return string|WP_Error
 */
function advik_coupons_sso_url(): string|WP_Error {
	if ( ! current_user_can( 'manage_options' ) ) {
		return new WP_Error( 'advik_coupons_forbidden', __( 'Sorry, you are not allowed to manage coupons.', 'advik-coupons' ), array( 'status' => 403 ) );
	}
	$base   = advik_coupons_service_url();
	$secret = advik_coupons_setting( 'sso_secret' );
	if ( '' === $base || strlen( $secret ) < 32 ) {
		return new WP_Error( 'advik_coupons_not_configured', __( 'Set the service URL and an SSO secret of at least 32 characters on Settings → Advik Coupons.', 'advik-coupons' ) );
	}
	$user  = wp_get_current_user();
	$token = advik_coupons_sso_token(
		$secret,
		advik_coupons_origin( admin_url() ),
		$user->user_login,
		$user->display_name,
		$user->user_email,
		time(),
		bin2hex( random_bytes( 16 ) )
	);
	return $base . '/admin/sso?token=' . rawurlencode( $token );
}

/**
 * The "Coupons" page: the service's admin in a frame.
 */
function advik_coupons_render_admin_page(): void {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'Sorry, you are not allowed to manage coupons.', 'advik-coupons' ), 403 );
	}
	$url = advik_coupons_sso_url();
	echo '<div class="wrap advik-coupons-admin"><h1>' . esc_html__( 'Coupons', 'advik-coupons' ) . '</h1>';
	if ( is_wp_error( $url ) ) {
		echo '<div class="notice notice-warning"><p>' . esc_html( $url->get_error_message() ) . ' <a href="' . esc_url( admin_url( 'options-general.php?page=advik-coupons-settings' ) ) . '">' . esc_html__( 'Settings', 'advik-coupons' ) . '</a></p></div></div>';
		return;
	}
	$new_tab = wp_nonce_url( admin_url( 'admin-post.php?action=advik_coupons_open' ), 'advik_coupons_open' );
	echo '<p><a class="button" target="_blank" rel="noopener" href="' . esc_url( $new_tab ) . '">' . esc_html__( 'Open in a new tab', 'advik-coupons' ) . '</a></p>';
	echo '<iframe id="advik-coupons-frame" title="' . esc_attr__( 'Coupon admin', 'advik-coupons' ) . '" src="' . esc_url( $url ) . '" referrerpolicy="no-referrer" style="width:100%;min-height:80vh;border:1px solid #c3c4c7;background:#fff"></iframe></div>';
}

/**
 * admin-post.php?action=advik_coupons_open: a fresh sign-on, in the whole window.
 */
function advik_coupons_open_in_new_tab(): void {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'Sorry, you are not allowed to manage coupons.', 'advik-coupons' ), 403 );
	}
	check_admin_referer( 'advik_coupons_open' );
	$url = advik_coupons_sso_url();
	if ( is_wp_error( $url ) ) {
		wp_die( esc_html( $url->get_error_message() ), 400 );
	}
	wp_redirect( $url ); // phpcs:ignore WordPress.Security.SafeRedirect.wp_redirect_wp_redirect -- the service is another host, set by an admin.
	exit;
}
